/**
 * The SSRF guard. In development every destination is allowed (applications run on
 * localhost). In production, webhooks never reach loopback, private, link-local or
 * other special addresses unless the operator lists them; the check runs on the
 * addresses a name resolves to, at connect time, so DNS cannot be used to slip past it.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { WebhookError } from './errors.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export interface DestinationGuard {
  /** Throws a WebhookError for a URL whose host is a refused address literal. */
  checkUrl(url: URL): void;
  /** A `lookup` for sockets: resolves, then refuses special addresses. */
  readonly lookup: GuardedLookup;
}

const SPECIAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  SPECIAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  SPECIAL.addSubnet(net, prefix, 'ipv6');
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** Loopback, private, link-local, CGNAT, multicast and reserved addresses (v4-mapped v6 included). */
export function isSpecialAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped ? mapped[1]! : address;
  return SPECIAL.check(a, family(a));
}

export interface GuardOptions {
  readonly mode: 'development' | 'production';
  /** Allowed in production anyway: host names, addresses, or CIDR blocks (`10.1.0.0/16`). */
  readonly allow?: readonly string[];
}

export function destinationGuard(options: GuardOptions): DestinationGuard {
  if (options.mode === 'development') {
    return { checkUrl: () => undefined, lookup: dnsLookup as unknown as GuardedLookup };
  }
  const allowedHosts = new Set<string>();
  const allowedNets = new BlockList();
  for (const entry of options.allow ?? []) {
    const cidr = /^(.+)\/(\d+)$/.exec(entry);
    if (cidr && isIP(cidr[1]!)) allowedNets.addSubnet(cidr[1]!, Number(cidr[2]), family(cidr[1]!));
    else if (isIP(entry)) allowedNets.addAddress(entry, family(entry));
    else allowedHosts.add(entry.toLowerCase());
  }
  const refused = (address: string): boolean => isSpecialAddress(address) && !allowedNets.check(address, family(address));
  return {
    checkUrl(url) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (allowedHosts.has(host.toLowerCase())) return;
      if (host.toLowerCase() === 'localhost' || (isIP(host) && refused(host))) {
        throw new WebhookError('refused-destination', `${host} is a private or loopback address`, url.toString());
      }
    },
    lookup(hostname, lookupOptions, callback) {
      dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
        if (err) return callback(err, []);
        const list = addresses as LookupAddress[];
        const allowedName = allowedHosts.has(hostname.toLowerCase());
        const bad = allowedName ? undefined : list.find((a) => refused(a.address));
        if (bad) {
          const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${bad.address}, a private or loopback address`);
          e.code = 'EDIALTONE_REFUSED';
          return callback(e, []);
        }
        if (lookupOptions.all) return callback(null, list);
        const first = list[0];
        if (!first) {
          const e: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
          e.code = 'ENOTFOUND';
          return callback(e, []);
        }
        return callback(null, first.address, first.family);
      });
    },
  };
}
