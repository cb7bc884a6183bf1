import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { MediaLeg } from '../../../src/media/host.js';
import { sendDigitRuns } from '../../../src/telephony/send-digits.js';

/** A media leg that sends each run in 20 ms and says so with `digitssent`. */
class FakeMedia extends EventEmitter {
  readonly sent: { digits: string; at: number }[] = [];
  readonly start = Date.now();
  async sendDigits(digits: string): Promise<void> {
    this.sent.push({ digits, at: Date.now() - this.start });
    setTimeout(() => this.emit('digitssent'), 20);
  }
}

describe('sendDigitRuns', () => {
  it('sends the runs in order with w (0.5 s) and W (1 s) pauses between them', async () => {
    const media = new FakeMedia();
    await sendDigitRuns(media as unknown as MediaLeg, '12w3W#', new Promise(() => undefined));
    assert.deepEqual(media.sent.map((s) => s.digits), ['12', '3', '#']);
    assert.ok(media.sent[1]!.at >= 500, `3 after the w: ${media.sent[1]!.at} ms`);
    assert.ok(media.sent[2]!.at - media.sent[1]!.at >= 1000, 'the W waits a second');
  });

  it('sends nothing more once the call has ended', async () => {
    const media = new FakeMedia();
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    setTimeout(end, 100);
    await sendDigitRuns(media as unknown as MediaLeg, '1WW2', ended);
    assert.deepEqual(media.sent.map((s) => s.digits), ['1']);
  });
});
