/** Store timestamps: ISO-8601 UTC with milliseconds, so that text order is time order. */
export function isoNow(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}
