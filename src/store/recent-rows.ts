/**
 * Rows read lately, by SID, each as of the `date_updated` it was read at. A reader that
 * asks the database for a row's update time (one value, not the whole row) can take the
 * rest from here when it matches. The repository that owns the table forgets a row when
 * it writes it, so a second change within the same millisecond is not mistaken for the
 * first; a row changed by another process shows a new update time. The least recently
 * remembered rows leave past `capacity`.
 */
export class RecentRows<T extends { readonly sid: string; readonly dateUpdated: string }> {
  readonly #rows = new Map<string, { readonly row: T; readonly readAt: number }>();

  constructor(
    readonly capacity: number,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** The row as remembered, if it is the version that was updated at `dateUpdated`. */
  current(sid: string, dateUpdated: string): T | undefined {
    const entry = this.#rows.get(sid);
    return entry !== undefined && entry.row.dateUpdated === dateUpdated ? entry.row : undefined;
  }

  /** The row as remembered, if it was read from the database within the last `ms`. */
  readWithin(sid: string, ms: number): T | undefined {
    const entry = this.#rows.get(sid);
    return entry !== undefined && this.now() - entry.readAt <= ms ? entry.row : undefined;
  }

  has(sid: string): boolean {
    return this.#rows.has(sid);
  }

  /** Remembers a row just read from the database (or confirmed current there). */
  remember(row: T): void {
    this.#rows.delete(row.sid);
    this.#rows.set(row.sid, { row, readAt: this.now() });
    if (this.#rows.size > this.capacity) this.#rows.delete(this.#rows.keys().next().value!);
  }

  forget(sid: string): void {
    this.#rows.delete(sid);
  }
}
