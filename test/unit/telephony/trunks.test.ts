import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Trunk } from '../../../src/store/index.js';
import { DefaultDialPlan } from '../../../src/telephony/dial-plan.js';
import { StoredTrunkRoutes, chooseTrunk, rewriteNumber, trunkRoute } from '../../../src/telephony/trunks.js';

const ACCOUNT = 'AC' + '1'.repeat(32);
let n = 0;

function trunk(name: string, fields: Partial<Trunk> = {}): Trunk {
  n += 1;
  return {
    sid: 'TK' + n.toString(16).padStart(32, '0'),
    accountSid: ACCOUNT,
    friendlyName: name,
    host: `${name}.example`,
    port: 5060,
    transport: 'udp',
    username: null,
    password: null,
    prefixes: ['*'],
    priority: 10,
    callerId: null,
    stripPrefix: null,
    addPrefix: null,
    enabled: true,
    dateCreated: '2025-01-01T00:00:00.000Z',
    dateUpdated: '2025-01-01T00:00:00.000Z',
    ...fields,
  };
}

const chosen = (trunks: readonly Trunk[], number: string): string | undefined => chooseTrunk(trunks, number)?.trunk.friendlyName;

describe('chooseTrunk', () => {
  it('the longest matching prefix wins, whatever the priorities', () => {
    const trunks = [
      trunk('all', { prefixes: ['*'], priority: 0 }),
      trunk('uk', { prefixes: ['+44'], priority: 5 }),
      trunk('london', { prefixes: ['+4420'], priority: 50 }),
      trunk('nanp', { prefixes: ['+1'] }),
    ];
    assert.equal(chosen(trunks, '+442071234567'), 'london');
    assert.equal(chosen(trunks, '+441612345678'), 'uk');
    assert.equal(chosen(trunks, '+15550100'), 'nanp');
    assert.equal(chosen(trunks, '+4915550123'), 'all');
    assert.deepEqual(chooseTrunk(trunks, '+442071234567')?.prefix, '+4420');
  });

  it('a trunk with several prefixes matches on its longest one', () => {
    const trunks = [trunk('eu', { prefixes: ['+49', '+4930'] }), trunk('de', { prefixes: ['+493'], priority: 0 })];
    assert.equal(chosen(trunks, '+493012345'), 'eu');
    assert.equal(chosen(trunks, '+493512345'), 'de');
  });

  it('equally long matches: the lowest priority number, then the name', () => {
    assert.equal(chosen([trunk('b', { priority: 20 }), trunk('a', { priority: 10 })], '+15550100'), 'a');
    assert.equal(chosen([trunk('b', { priority: 1 }), trunk('a', { priority: 10 })], '+15550100'), 'b');
    assert.equal(chosen([trunk('zeta'), trunk('alpha')], '+15550100'), 'alpha');
  });

  it('disabled trunks take nothing; no match is undefined', () => {
    const trunks = [trunk('london', { prefixes: ['+4420'], enabled: false }), trunk('uk', { prefixes: ['+44'] })];
    assert.equal(chosen(trunks, '+442071234567'), 'uk');
    assert.equal(chosen(trunks, '+15550100'), undefined);
    assert.equal(chosen([trunk('off', { enabled: false })], '+15550100'), undefined);
    assert.equal(chosen([], '+15550100'), undefined);
  });
});

describe('trunkRoute', () => {
  it('Request-URI to the trunk, digest credentials, pass-through caller ID', () => {
    const route = trunkRoute(trunk('carrier', { host: '192.0.2.10', port: 5080, username: 'acme', password: 's3cret' }), '+4915550123');
    assert.deepEqual(route, {
      kind: 'sip',
      uri: 'sip:+4915550123@192.0.2.10:5080;transport=udp',
      destination: { host: '192.0.2.10', port: 5080, transport: 'UDP' },
      credentials: { username: 'acme', password: 's3cret' },
      via: 'trunk',
      trunk: { sid: route.trunk?.sid, name: 'carrier' },
    });
    assert.equal(route.callerId, undefined, 'no caller-ID rule: the Dial’s caller ID goes through');
  });

  it('a fixed caller ID, the number rewritten, TCP and an IPv6 host', () => {
    const route = trunkRoute(trunk('v6', { host: '::1', transport: 'tcp', callerId: '+15550100', stripPrefix: '+', addPrefix: '00' }), '+4915550123');
    assert.equal(route.uri, 'sip:004915550123@[::1]:5060;transport=tcp');
    assert.deepEqual(route.destination, { host: '::1', port: 5060, transport: 'TCP' });
    assert.equal(route.callerId, '+15550100');
    assert.equal(route.credentials, undefined);
  });

  it('rewriting strips only a prefix that is there', () => {
    assert.equal(rewriteNumber('+4915550123', { stripPrefix: '+49', addPrefix: '0' }), '015550123');
    assert.equal(rewriteNumber('+4415550123', { stripPrefix: '+49', addPrefix: null }), '+4415550123');
    assert.equal(rewriteNumber('+15550100', { stripPrefix: null, addPrefix: '1234' }), '1234+15550100');
  });
});

describe('DefaultDialPlan with StoredTrunkRoutes', () => {
  const trunks = [trunk('de', { prefixes: ['+49'], host: '127.0.0.1', port: 5099, callerId: '+4930123456', stripPrefix: '+' })];
  const plan = new DefaultDialPlan({
    ownsNumber: async (number) => number === '+15550100',
    self: () => ({ host: '127.0.0.1', port: 5070, transport: 'UDP' }),
    trunks: new StoredTrunkRoutes({ list: async (account) => (account === ACCOUNT ? trunks : []) }),
  });

  it('a number of another country goes out through the trunk that takes it', async () => {
    const route = await plan.route({ kind: 'number', address: '0049 155 50123' }, ACCOUNT);
    assert.equal(route.kind, 'sip');
    assert.equal(route.kind === 'sip' && route.uri, 'sip:4915550123@127.0.0.1:5099;transport=udp');
    assert.equal(route.kind === 'sip' && route.callerId, '+4930123456');
  });

  it('our own numbers still loop back; a number no trunk takes fails with 13224', async () => {
    const own = await plan.route({ kind: 'number', address: '+15550100' }, ACCOUNT);
    assert.equal(own.kind === 'sip' && own.via, 'loopback');
    const none = await plan.route({ kind: 'number', address: '+15559990000' }, ACCOUNT);
    assert.equal(none.kind, 'none');
    assert.equal(none.kind === 'none' && none.code, 13224);
    assert.match(none.kind === 'none' ? none.reason : '', /no route to \+15559990000: .*no trunk takes it/);
    const otherAccount = await plan.route({ kind: 'number', address: '+4915550123' }, 'AC' + '2'.repeat(32));
    assert.equal(otherAccount.kind, 'none', 'another account’s trunks are not ours');
  });
});
