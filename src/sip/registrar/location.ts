/**
 * The location service a registrar writes (RFC 3261 §10.3): for each address of record,
 * the contacts it may be reached at, until when, and over which flow the REGISTER came.
 *
 * The ordering rule of step 7 is what keeps a delayed or retransmitted REGISTER from
 * undoing a newer one: a binding remembers the Call-ID and CSeq that last wrote it, and a
 * request with the same Call-ID and a CSeq not above it is refused as a whole.
 *
 * In memory: a binding lives no longer than its expiry (an hour at most), and a client
 * re-registers after a restart of ours as soon as its refresh is refused or times out.
 */
import { type SipUri, parseUri, sipUriEquals } from '../message/index.js';
import type { Destination } from '../transport/types.js';

export interface Binding {
  /** The address of record, as the registrar keys it (the authenticated username). */
  readonly aor: string;
  /** The Contact URI as the client wrote it. */
  readonly contact: string;
  /** Preference among an AOR's contacts (`q`), 0 to 1; default 1. */
  readonly q: number;
  /** Ms since the epoch when the binding lapses. */
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  /**
   * Where the REGISTER came from: requests to this contact go there, on the same
   * connection when it is still open, so that clients behind NAT are reachable.
   */
  readonly flow: Destination;
  readonly userAgent: string | undefined;
  readonly registeredAt: number;
}

/** One Contact of a REGISTER, with its expiry already decided (0 removes). */
export interface ContactUpdate {
  readonly contact: string;
  readonly expiresSeconds: number;
  readonly q: number;
}

export interface RegisterWrite {
  readonly aor: string;
  readonly callId: string;
  readonly cseq: number;
  readonly flow: Destination;
  readonly userAgent: string | undefined;
  readonly now: number;
}

export type WriteResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'out-of-order' };

interface StoredBinding extends Binding {
  readonly uri: SipUri | undefined;
}

function sameContact(a: StoredBinding, uri: SipUri | undefined, text: string): boolean {
  return a.uri !== undefined && uri !== undefined ? sipUriEquals(a.uri, uri) : a.contact === text;
}

function sipUri(text: string): SipUri | undefined {
  const uri = parseUri(text);
  return uri?.kind === 'sip' ? uri : undefined;
}

export class LocationService {
  readonly #bindings = new Map<string, StoredBinding[]>();
  /** Bounds on what one AOR may hold, so a client cannot grow memory without end. */
  readonly #maxPerAor: number;

  constructor(options: { readonly maxContactsPerAor?: number } = {}) {
    this.#maxPerAor = options.maxContactsPerAor ?? 10;
  }

  /**
   * Apply one REGISTER's contacts (§10.3 step 7), all or nothing: any contact whose
   * binding was last written by the same Call-ID with a CSeq at or above this one refuses
   * the whole request.
   */
  update(write: RegisterWrite, contacts: readonly ContactUpdate[]): WriteResult {
    const current = this.#live(write.aor, write.now);
    const parsed = contacts.map((c) => ({ ...c, uri: sipUri(c.contact) }));
    for (const c of parsed) {
      const existing = current.find((b) => sameContact(b, c.uri, c.contact));
      if (existing !== undefined && existing.callId === write.callId && existing.cseq >= write.cseq) {
        return { ok: false, reason: 'out-of-order' };
      }
    }
    let next = current;
    for (const c of parsed) {
      next = next.filter((b) => !sameContact(b, c.uri, c.contact));
      if (c.expiresSeconds <= 0) continue;
      next.push({
        aor: write.aor,
        contact: c.contact,
        uri: c.uri,
        q: c.q,
        expiresAt: write.now + c.expiresSeconds * 1000,
        callId: write.callId,
        cseq: write.cseq,
        flow: write.flow,
        userAgent: write.userAgent,
        registeredAt: write.now,
      });
    }
    if (next.length > this.#maxPerAor) {
      // The oldest registrations give way to the newest.
      next = next.sort((a, b) => b.registeredAt - a.registeredAt).slice(0, this.#maxPerAor);
    }
    this.#store(write.aor, next);
    return { ok: true };
  }

  /** `Contact: *` with `Expires: 0` (§10.3 step 6): every binding of the AOR goes, unless one is newer. */
  removeAll(write: Omit<RegisterWrite, 'flow' | 'userAgent'>): WriteResult {
    const current = this.#live(write.aor, write.now);
    if (current.some((b) => b.callId === write.callId && b.cseq >= write.cseq)) return { ok: false, reason: 'out-of-order' };
    this.#bindings.delete(write.aor);
    return { ok: true };
  }

  /** The AOR's live bindings, most preferred first (higher q, then most recent). */
  lookup(aor: string, now: number): readonly Binding[] {
    return [...this.#live(aor, now)].sort((a, b) => b.q - a.q || b.registeredAt - a.registeredAt);
  }

  #live(aor: string, now: number): StoredBinding[] {
    const all = this.#bindings.get(aor);
    if (all === undefined) return [];
    const live = all.filter((b) => b.expiresAt > now);
    if (live.length !== all.length) this.#store(aor, live);
    return live;
  }

  #store(aor: string, bindings: StoredBinding[]): void {
    if (bindings.length === 0) this.#bindings.delete(aor);
    else this.#bindings.set(aor, bindings);
  }
}
