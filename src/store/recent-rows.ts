/**
 * Rows read lately, by SID, each as of the `date_updated` it was read at. A reader that
 * asks the database for a row's update time (one value, not the whole row) can take the
 * rest from here when it matches. The repository that owns the table forgets a row when
 * it writes it, so a second change within the same millisecond is not mistaken for the
 * first; a row changed by another process shows a new update time. The least recently
 * remembered rows leave past `capacity`.
 */
export class RecentRows<T extends { readonly sid: string; readonly dateUpdated: string }> {
  readonly #rows = new Map<string, T>();

  constructor(readonly capacity: number) {}

  /** The row as remembered, if it is the version that was updated at `dateUpdated`. */
  current(sid: string, dateUpdated: string): T | undefined {
    const row = this.#rows.get(sid);
    return row !== undefined && row.dateUpdated === dateUpdated ? row : undefined;
  }

  has(sid: string): boolean {
    return this.#rows.has(sid);
  }

  remember(row: T): void {
    this.#rows.delete(row.sid);
    this.#rows.set(row.sid, row);
    if (this.#rows.size > this.capacity) this.#rows.delete(this.#rows.keys().next().value!);
  }

  forget(sid: string): void {
    this.#rows.delete(sid);
  }
}
