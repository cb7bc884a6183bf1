import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hangupParams, numberStatusCallback, parseStatusCallbackEvents, rfc2822 } from '../../../src/engine/status-callbacks.js';

describe('status callback settings', () => {
  it('reads StatusCallbackEvent as Twilio, its REST clients and Apifonica write it; completed alone by default', () => {
    assert.deepEqual([...parseStatusCallbackEvents(undefined).events], ['completed']);
    assert.deepEqual([...parseStatusCallbackEvents('').events], ['completed']);
    assert.deepEqual([...parseStatusCallbackEvents('initiated ringing answered completed').events], ['initiated', 'ringing', 'answered', 'completed']);
    assert.deepEqual([...parseStatusCallbackEvents(['ringing', 'completed']).events], ['ringing', 'completed']);
    assert.deepEqual([...parseStatusCallbackEvents('answered|completed').events], ['answered', 'completed']);
    assert.deepEqual([...parseStatusCallbackEvents('all').events], ['initiated', 'ringing', 'answered', 'completed']);
    assert.deepEqual([...parseStatusCallbackEvents('none').events], []);
    const odd = parseStatusCallbackEvents('Answered, hangup');
    assert.deepEqual([...odd.events], ['answered']);
    assert.deepEqual(odd.unknown, ['hangup']);
  });

  it("a number's StatusCallback hears only the final event of its inbound calls", () => {
    assert.equal(numberStatusCallback({ statusCallback: null, statusCallbackMethod: 'POST' }), undefined);
    const config = numberStatusCallback({ statusCallback: 'https://app.example/status', statusCallbackMethod: 'GET' })!;
    assert.equal(config.method, 'GET');
    assert.deepEqual([...config.events], ['completed']);
  });

  it('writes Timestamp in RFC 2822 UTC with +0000', () => {
    assert.equal(rfc2822(new Date(Date.UTC(2010, 7, 16, 3, 45, 1))), 'Mon, 16 Aug 2010 03:45:01 +0000');
  });

  it('names who hung up: the far end is inbound, we are outbound', () => {
    const inbound = { from: '+15550199', to: '+15550100', direction: 'inbound' } as const;
    assert.deepEqual(hangupParams(inbound, 'caller'), { HangupBy: '+15550199', HangupDirection: 'inbound' });
    assert.deepEqual(hangupParams(inbound, 'application'), { HangupBy: '+15550100', HangupDirection: 'outbound' });
    const outbound = { from: '+15550100', to: '+15550177', direction: 'outbound-api' } as const;
    assert.deepEqual(hangupParams(outbound, 'callee'), { HangupBy: '+15550177', HangupDirection: 'inbound' });
    assert.deepEqual(hangupParams(outbound, 'system'), { HangupBy: '+15550100', HangupDirection: 'outbound' });
  });
});
