/** Waiting in tests for something that happens elsewhere (another process, a socket), with a bound. */

/** Resolve once `check()` is true; reject after `timeoutMs` (a bound, not a timing assert). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 5_000,
  intervalMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    // A function: what to say is known only at the deadline (the last status seen).
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
