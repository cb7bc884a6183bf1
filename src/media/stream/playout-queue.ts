/**
 * The audio an application sends on a bidirectional stream, waiting to be
 * played: µ-law chunks of any length and the marks between them, in order.
 * Each tick takes one 20 ms frame; a mark is reached once every byte queued
 * before it has been taken, and `clear` drops the audio and hands back the
 * marks it dropped (Twilio answers those too). Pure: the worker's stream and
 * the tests drive it.
 */
import { ULAW_SILENCE } from '../codec/g711.js';

type Item = { readonly kind: 'audio'; readonly bytes: Uint8Array; offset: number } | { readonly kind: 'mark'; readonly name: string };

export class PlayoutQueue {
  readonly #items: Item[] = [];
  readonly #maxBytes: number;
  #bytes = 0;

  /** `maxBytes`: audio beyond this is refused (default 10 minutes of 8 kHz µ-law). */
  constructor(maxBytes = 8000 * 600) {
    this.#maxBytes = maxBytes;
  }

  /** Audio queued, bytes (= samples). */
  get bytes(): number {
    return this.#bytes;
  }

  get empty(): boolean {
    return this.#items.length === 0;
  }

  /** Queues µ-law audio; false (and nothing queued) when the queue is full. */
  push(ulaw: Uint8Array): boolean {
    if (ulaw.length === 0) return true;
    if (this.#bytes + ulaw.length > this.#maxBytes) return false;
    this.#items.push({ kind: 'audio', bytes: ulaw, offset: 0 });
    this.#bytes += ulaw.length;
    return true;
  }

  mark(name: string): void {
    this.#items.push({ kind: 'mark', name });
  }

  /** Drops everything; returns the names of the marks dropped, in order. */
  clear(): string[] {
    const names: string[] = [];
    for (const item of this.#items) if (item.kind === 'mark') names.push(item.name);
    this.#items.length = 0;
    this.#bytes = 0;
    return names;
  }

  /**
   * Takes the next `dst.length` bytes of audio into `dst` (silence after the
   * last chunk) and appends to `reached` the marks passed. Returns false, and
   * leaves `dst` alone, when no audio is queued (marks at the head are still
   * reached: nothing is before them).
   */
  read(dst: Uint8Array, reached: string[]): boolean {
    const items = this.#items;
    this.#passMarks(reached);
    if (items.length === 0) return false;
    let filled = 0;
    while (filled < dst.length && items.length > 0) {
      const item = items[0]!;
      if (item.kind === 'mark') {
        reached.push(item.name);
        items.shift();
        continue;
      }
      const n = Math.min(dst.length - filled, item.bytes.length - item.offset);
      // A copy loop, not set(subarray): no view object per tick.
      const bytes = item.bytes;
      const from = item.offset;
      for (let i = 0; i < n; i++) dst[filled + i] = bytes[from + i]!;
      item.offset += n;
      filled += n;
      this.#bytes -= n;
      if (item.offset === item.bytes.length) items.shift();
    }
    if (filled < dst.length) dst.fill(ULAW_SILENCE, filled);
    // Marks right behind this frame's audio are reached once it is out.
    this.#passMarks(reached);
    return true;
  }

  #passMarks(reached: string[]): void {
    const items = this.#items;
    while (items.length > 0 && items[0]!.kind === 'mark') reached.push((items.shift() as { name: string }).name);
  }
}
