import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSipfragStatus,
  parseEventHeader,
  parseSipfragStatus,
  parseSubscriptionState,
} from '../../../src/sip/message/index.js';

describe('message/sipfrag status lines', () => {
  it('reads the status line of a bare fragment, with or without the CRLF', () => {
    assert.deepEqual(parseSipfragStatus('SIP/2.0 100 Trying\r\n'), { status: 100, reason: 'Trying' });
    assert.deepEqual(parseSipfragStatus('SIP/2.0 200 OK'), { status: 200, reason: 'OK' });
    assert.deepEqual(parseSipfragStatus('sip/2.0 486 Busy Here\n'), { status: 486, reason: 'Busy Here' });
  });

  it('reads the status line of a fragment with headers after it', () => {
    const body = 'SIP/2.0 603 Declined\r\nWarning: 399 pbx "no"\r\nContent-Length: 0\r\n\r\n';
    assert.deepEqual(parseSipfragStatus(body), { status: 603, reason: 'Declined' });
  });

  it('takes a status line without a reason phrase', () => {
    assert.deepEqual(parseSipfragStatus('SIP/2.0 180\r\n'), { status: 180, reason: '' });
  });

  it('gives undefined for what is no status line', () => {
    for (const body of ['', 'INVITE sip:bob@example.com SIP/2.0\r\n', 'SIP/2.0 99 Odd', 'SIP/2.0 700 Nope', 'SIP/3.0 200 OK', 'hello', 'SIP/2.0 2000 OK'])
      assert.equal(parseSipfragStatus(body), undefined, JSON.stringify(body));
  });

  it('formats what it reads', () => {
    assert.deepEqual(parseSipfragStatus(formatSipfragStatus(180, 'Ringing')), { status: 180, reason: 'Ringing' });
  });
});

describe('Event and Subscription-State', () => {
  it('reads the package lower-cased and the id', () => {
    const e = parseEventHeader('Refer;id=93809824');
    assert.equal(e?.package, 'refer');
    assert.equal(e?.id, '93809824');
    assert.equal(parseEventHeader('refer')?.id, undefined);
    assert.equal(parseEventHeader(' dialog ; id = 7 ')?.id, '7');
  });

  it('reads state, expires and reason', () => {
    assert.deepEqual(
      { ...parseSubscriptionState('active;expires=60'), params: undefined },
      { state: 'active', expires: 60, reason: undefined, params: undefined },
    );
    const t = parseSubscriptionState('Terminated;reason=noresource');
    assert.equal(t?.state, 'terminated');
    assert.equal(t?.reason, 'noresource');
    assert.equal(parseSubscriptionState('active;expires=soon')?.expires, undefined);
  });

  it('gives undefined for values that do not read', () => {
    for (const v of ['', ';id=1', 'refer;;', 'refer;id=']) assert.equal(parseEventHeader(v), undefined, v);
    assert.equal(parseSubscriptionState('active;'), undefined);
  });
});
