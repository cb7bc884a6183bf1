import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDtmfRelay, isDtmfDigit, parseDtmfInfo } from '../../../../src/sip/ua/dtmf-info.js';

describe('DTMF in INFO bodies', () => {
  it('reads application/dtmf-relay', () => {
    assert.deepEqual(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), { digit: '5', durationMs: 160 });
    assert.deepEqual(parseDtmfInfo('application/dtmf-relay', 'signal = *\nduration= 250'), { digit: '*', durationMs: 250 });
    assert.deepEqual(parseDtmfInfo('application/dtmf-relay', 'Signal=11'), { digit: '#', durationMs: undefined });
    assert.deepEqual(parseDtmfInfo('application/dtmf-relay', 'Signal=a\r\nDuration=x'), { digit: 'A', durationMs: undefined });
    assert.equal(parseDtmfInfo('application/dtmf-relay', 'Signal=16'), undefined, 'flash is not a digit');
    assert.equal(parseDtmfInfo('application/dtmf-relay', 'Duration=100'), undefined);
  });

  it('reads application/dtmf', () => {
    assert.deepEqual(parseDtmfInfo('application/dtmf', '7'), { digit: '7', durationMs: undefined });
    assert.deepEqual(parseDtmfInfo('application/dtmf', '10\r\n'), { digit: '*', durationMs: undefined });
    assert.deepEqual(parseDtmfInfo('application/dtmf', 'Signal=D'), { digit: 'D', durationMs: undefined });
    assert.equal(parseDtmfInfo('application/dtmf', 'xyz'), undefined);
    assert.equal(parseDtmfInfo('text/plain', '5'), undefined);
  });

  it('writes dtmf-relay and tells digits apart', () => {
    assert.equal(formatDtmfRelay('#', 160.4), 'Signal=#\r\nDuration=160\r\n');
    assert.ok(isDtmfDigit('9') && isDtmfDigit('B') && !isDtmfDigit('b') && !isDtmfDigit('10'));
  });
});
