/**
 * Counts the changes that can make a verified credential invalid: an auth token set anew,
 * an API key deleted. Whoever remembers verified credentials remembers the epoch with
 * them and asks again once it has moved, so such a change takes effect at once in this
 * process.
 */
export class CredentialEpoch {
  #value = 0;

  get value(): number {
    return this.#value;
  }

  advance(): void {
    this.#value++;
  }
}
