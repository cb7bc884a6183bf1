/**
 * Digits between two legs over loopback: RFC 4733 events, in-band tones when
 * telephone-event is not negotiated, SIP INFO digits injected by signalling,
 * all in one digit stream per leg.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaHost, type CreateLegOptions, type LegDigit, type MediaLeg } from '../../../src/media/host.js';
import { delay, nextEvent, waitUntil } from './support.js';

describe('media DTMF', { timeout: 60_000 }, () => {
  let host: MediaHost;
  before(async () => {
    host = await MediaHost.start({ workers: 1, ports: { min: 31300, max: 31399 } });
  });
  after(async () => {
    await host.close();
  });

  async function pair(options: CreateLegOptions): Promise<{ a: MediaLeg; b: MediaLeg; digits: LegDigit[] }> {
    const a = await host.createLeg(options);
    const b = await host.createLeg({ ...options, remote: a.local });
    await a.setRemote(b.local);
    const digits: LegDigit[] = [];
    b.on('digit', (d) => digits.push(d));
    return { a, b, digits };
  }

  it('RFC 4733 digits sent by A arrive once each on B', async () => {
    const { a, b, digits } = await pair({ telephoneEventPt: 101 });
    const done = nextEvent(a, 'digitssent', 5000);
    await a.sendDigits('159#*0', { durationMs: 100, gapMs: 60 });
    await done;
    await waitUntil(() => digits.length >= 6, 3000, 'six digits');
    await delay(100);
    assert.deepEqual(digits.map((d) => d.digit).join(''), '159#*0');
    assert.ok(digits.every((d) => d.source === 'rfc4733'));
    assert.ok(digits.every((d) => d.durationMs === 100), JSON.stringify(digits.map((d) => d.durationMs)));
    // Repeated keys stay separate presses.
    digits.length = 0;
    const again = nextEvent(a, 'digitssent', 5000);
    await a.sendDigits('33', { durationMs: 60, gapMs: 40 });
    await again;
    await waitUntil(() => digits.length >= 2, 3000, 'two digits');
    await delay(100);
    assert.equal(digits.map((d) => d.digit).join(''), '33');
    const stats = await b.stats();
    assert.equal(stats.digitsReceived, 8);
    await Promise.all([a.close(), b.close()]);
  });

  it('in-band tones are detected on B when telephone-event is not negotiated', async () => {
    const { a, b, digits } = await pair({});
    const done = nextEvent(a, 'digitssent', 5000);
    await a.sendDigits('2468', { durationMs: 80, gapMs: 80 });
    await done;
    await waitUntil(() => digits.length >= 4, 3000, 'four digits');
    await delay(100);
    assert.equal(digits.map((d) => d.digit).join(''), '2468');
    assert.ok(digits.every((d) => d.source === 'inband'));
    // A DTMF tone played as audio is a digit too: 852 + 1477 Hz is 9.
    digits.length = 0;
    await a.playAndWait({ kind: 'tone', frequencies: [852, 1477], levelDbm0: -12, durationMs: 120 });
    await waitUntil(() => digits.length >= 1, 3000, 'the played digit');
    await delay(100);
    assert.deepEqual(digits.map((d) => [d.digit, d.source]), [['9', 'inband']]);
    // Speech-band tones are not digits.
    digits.length = 0;
    await a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 300 });
    await delay(150);
    assert.deepEqual(digits, []);
    await Promise.all([a.close(), b.close()]);
  });

  it('SIP INFO digits join the stream; a press sent both ways is reported once', async () => {
    const { a, b, digits } = await pair({ telephoneEventPt: 101 });
    await b.injectDigit('4', 160);
    await waitUntil(() => digits.length >= 1, 3000, 'the INFO digit');
    assert.deepEqual(digits, [{ digit: '4', source: 'info', durationMs: 160 }]);
    digits.length = 0;
    // The phone signals "5" by INFO and by RFC 4733 at once.
    const done = nextEvent(a, 'digitssent', 5000);
    await Promise.all([b.injectDigit('5', 100), a.sendDigits('5')]);
    await done;
    await delay(300);
    assert.deepEqual(digits.map((d) => d.digit), ['5']);
    await Promise.all([a.close(), b.close()]);
  });
});
