import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dtmfMessage, markMessage, mediaMessage, parseInbound, startMessage, stopMessage } from '../../../../src/media/stream/twilio-messages.js';

const SID = 'MZ' + '0'.repeat(32);

describe('Media Streams messages (Twilio\'s shapes)', () => {
  it('media is valid JSON with string fields, as Twilio sends it', () => {
    const payload = Buffer.from(new Uint8Array(160).fill(0xff)).toString('base64');
    assert.deepEqual(JSON.parse(mediaMessage(3, SID, 'inbound', 2, 20, payload)), {
      event: 'media',
      sequenceNumber: '3',
      media: { track: 'inbound', chunk: '2', timestamp: '20', payload },
      streamSid: SID,
    });
  });

  it('start, dtmf, mark and stop', () => {
    const facts = { accountSid: 'AC1', callSid: 'CA1', customParameters: { a: 'é"' } };
    assert.deepEqual(JSON.parse(startMessage(1, SID, facts, ['inbound'])).start, {
      accountSid: 'AC1',
      streamSid: SID,
      callSid: 'CA1',
      tracks: ['inbound'],
      customParameters: { a: 'é"' },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    });
    assert.deepEqual(JSON.parse(dtmfMessage(4, SID, '#')), { event: 'dtmf', streamSid: SID, sequenceNumber: '4', dtmf: { track: 'inbound_track', digit: '#' } });
    assert.deepEqual(JSON.parse(markMessage(5, SID, 'a "quoted" name')).mark, { name: 'a "quoted" name' });
    assert.deepEqual(JSON.parse(stopMessage(6, SID, facts)), { event: 'stop', sequenceNumber: '6', stop: { accountSid: 'AC1', callSid: 'CA1' }, streamSid: SID });
  });

  it('reads media, mark and clear; ignores other events; reports what is malformed without throwing', () => {
    const parsed = parseInbound(JSON.stringify({ event: 'media', streamSid: SID, media: { payload: Buffer.from([1, 2, 3]).toString('base64') } }));
    assert.equal(parsed.kind, 'media');
    assert.deepEqual(parsed.kind === 'media' ? [...parsed.ulaw] : [], [1, 2, 3]);
    assert.deepEqual(parseInbound('{"event":"mark","mark":{"name":"m1"}}'), { kind: 'mark', name: 'm1' });
    assert.deepEqual(parseInbound('{"event":"clear","streamSid":"x"}'), { kind: 'clear' });
    assert.deepEqual(parseInbound('{"event":"dtmf"}'), { kind: 'ignored', event: 'dtmf' });
    for (const bad of ['not json', '[]', '{"no":"event"}', '{"event":"media"}', '{"event":"media","media":{"payload":"%%%"}}', '{"event":"mark","mark":{}}', 'null']) {
      assert.equal(parseInbound(bad).kind, 'invalid', bad);
    }
  });
});
