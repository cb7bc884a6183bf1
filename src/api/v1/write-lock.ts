/**
 * Runs writes to one resource one after another, so that an If-Match check and the
 * write it guards see no other write of this process in between. (Across nodes sharing
 * PostgreSQL, two writers can still interleave; the check then guards the common case.)
 */
export class WriteLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<R>(key: string, work: () => Promise<R>): Promise<R> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const mine = previous.then(work, work);
    const tail = mine.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await mine;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
