import { it } from 'node:test';
import assert from 'node:assert/strict';
import { formatted, rfc2822 } from '../../../src/api/compat/serialize.js';
import { countSegments } from '../../../src/messaging/segments.js';

it('formats store times as RFC 2822 with +0000, the same as Date#toUTCString', () => {
  for (const ms of [0, Date.parse('2010-08-31T20:36:28.123Z'), Date.parse('2024-02-29T23:59:59.999Z'), Date.parse('2026-12-31T00:00:00.000Z')]) {
    const iso = new Date(ms).toISOString();
    assert.equal(rfc2822(iso), new Date(ms).toUTCString().replace('GMT', '+0000'));
  }
  assert.equal(rfc2822('2010-08-31T20:36:28.000Z'), 'Tue, 31 Aug 2010 20:36:28 +0000');
  assert.equal(rfc2822(null), null);
});

it('formats North American numbers like Twilio and leaves others alone', () => {
  assert.equal(formatted('+14158675309'), '(415) 867-5309');
  assert.equal(formatted('+442071838750'), '+442071838750');
});

it('counts SMS parts for GSM-7 and UCS-2 text', () => {
  assert.deepEqual(countSegments('a'.repeat(160)), { encoding: 'GSM-7', segments: 1 });
  assert.deepEqual(countSegments('a'.repeat(161)), { encoding: 'GSM-7', segments: 2 });
  assert.deepEqual(countSegments('€'.repeat(80)), { encoding: 'GSM-7', segments: 1 });
  assert.deepEqual(countSegments('λ'.repeat(70)), { encoding: 'UCS-2', segments: 1 });
  assert.deepEqual(countSegments('λ'.repeat(71)), { encoding: 'UCS-2', segments: 2 });
});
