/** `dialtone call`'s flags as commander hands them over, turned into call options; no process, no network. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallOptions } from '../../../src/cli/commands/call.js';
import { UsageError } from '../../../src/cli/commands/validate.js';

describe('dialtone call: options', () => {
  it('parseCallOptions: targets, defaults, digits and pauses; UsageError on bad flags', () => {
    const number = parseCallOptions('+1 (555) 010-0', {});
    assert.equal(number.target, 'sip:+15550100@127.0.0.1:5060');
    assert.deepEqual(number.destination, { host: '127.0.0.1', port: 5060, transport: 'UDP' });
    assert.equal(number.from, '+15550199');
    assert.equal(number.timeoutMs, 300_000);
    assert.equal(number.hangupAfterMs, undefined);
    const uri = parseCallOptions('sip:alice@10.0.0.7:5070', { digits: '1w2W#', hangupAfter: '2.5', transport: 'udp' });
    assert.equal(uri.target, 'sip:alice@10.0.0.7:5070');
    assert.deepEqual(uri.destination, { host: '10.0.0.7', port: 5070, transport: 'UDP' });
    assert.equal(uri.hangupAfterMs, 2500);
    assert.deepEqual(uri.digits, [
      { kind: 'digit', digit: '1' },
      { kind: 'pause', ms: 500 },
      { kind: 'digit', digit: '2' },
      { kind: 'pause', ms: 1000 },
      { kind: 'digit', digit: '#' },
    ]);
    const proxied = parseCallOptions('sip:bob@example.com', { server: '127.0.0.1:5080', transport: 'tcp' });
    assert.deepEqual(proxied.destination, { host: '127.0.0.1', port: 5080, transport: 'TCP' });
    assert.throws(() => parseCallOptions('+15550100', { hangupAfter: 'soon' }), UsageError);
    assert.throws(() => parseCallOptions('+15550100', { digits: '12x' }), UsageError);
    assert.throws(() => parseCallOptions('+15550100', { transport: 'sctp' }), UsageError);
    assert.throws(() => parseCallOptions('+15550100', { server: 'host:99999' }), UsageError);
    assert.throws(() => parseCallOptions('sips:bob@example.com', {}), UsageError);
    assert.throws(() => parseCallOptions('sip:bob@example.com;transport=tcp', {}), /--transport tcp/);
  });
});
