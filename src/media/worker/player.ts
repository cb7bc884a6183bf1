/**
 * A leg's playback: the source playing now and the ones queued behind it.
 * `read` is called once per tick; when a source ends the next one starts in
 * the same tick, so queued prompts join without a gap.
 */
import type { AudioSource } from '../source/types.js';
import type { PlayEndReason } from '../protocol.js';

export interface PlayerListener {
  started(playId: string, description: string): void;
  ended(playId: string, reason: PlayEndReason): void;
}

interface PlayItem {
  readonly playId: string;
  readonly source: AudioSource;
}

export class Player {
  readonly #listener: PlayerListener;
  readonly #queue: PlayItem[] = [];
  #current: PlayItem | null = null;

  constructor(listener: PlayerListener) {
    this.#listener = listener;
  }

  /** True while something plays. */
  get active(): boolean {
    return this.#current !== null;
  }

  get currentId(): string | null {
    return this.#current?.playId ?? null;
  }

  /** Queued behind the current one. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Starts `source` now (ending what plays and what is queued as `replaced`),
   * or with `enqueue` after the rest. Returns true when it waits in the queue.
   */
  play(playId: string, source: AudioSource, enqueue: boolean): boolean {
    const item = { playId, source };
    if (enqueue && this.#current !== null) {
      this.#queue.push(item);
      return true;
    }
    this.#endAll('replaced');
    this.#start(item);
    return false;
  }

  /** Stops `playId` (playing or queued), or everything; returns how many ended. */
  stop(playId?: string): number {
    if (playId === undefined) return this.#endAll('stopped');
    const index = this.#queue.findIndex((item) => item.playId === playId);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      this.#listener.ended(playId, 'stopped');
      return 1;
    }
    if (this.#current?.playId === playId) {
      this.#current = null;
      this.#listener.ended(playId, 'stopped');
      this.#next();
      return 1;
    }
    return 0;
  }

  /** Ends everything with `closed`. */
  close(): void {
    this.#endAll('closed');
  }

  /** Fills `dst` with the next frame; false when nothing plays. */
  read(dst: Int16Array): boolean {
    let current = this.#current;
    while (current !== null) {
      if (current.source.read(dst)) return true;
      this.#current = null;
      this.#listener.ended(current.playId, 'finished');
      this.#next();
      current = this.#current;
    }
    return false;
  }

  #start(item: PlayItem): void {
    this.#current = item;
    this.#listener.started(item.playId, item.source.describe());
  }

  #next(): void {
    const next = this.#queue.shift();
    if (next !== undefined) this.#start(next);
  }

  #endAll(reason: PlayEndReason): number {
    let n = 0;
    const current = this.#current;
    this.#current = null;
    if (current !== null) {
      this.#listener.ended(current.playId, reason);
      n++;
    }
    const queued = this.#queue.splice(0);
    for (const item of queued) this.#listener.ended(item.playId, reason);
    return n + queued.length;
  }
}
