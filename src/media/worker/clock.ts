/**
 * The legs' clock: milliseconds on a monotonic scale. Every received packet
 * reads it once and hands the value to the receive statistics, the jitter
 * buffer and the DTMF receiver; the tick reads it once for all legs.
 *
 * What reading the time costs: V8 returns the fractional milliseconds of
 * `performance.now()` (and the large integer of `Date.now()`) as a heap number,
 * 16 bytes per read, and nothing a script can call avoids that. It is the one
 * allocation of a leg's per-packet path (Node's dgram allocates a Buffer and a
 * remote-info object of its own for each datagram, an order of magnitude
 * more). The allocation test injects a counting clock to show that nothing
 * else in the path allocates.
 */
export interface LegClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
}

/** `performance.now()`: monotonic, sub-millisecond. */
export const performanceClock: LegClock = Object.freeze({
  now: (): number => performance.now(),
});
