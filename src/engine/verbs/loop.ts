/** Twilio plays `loop="0"` "forever", capped at 1000 repetitions (SEM-P1). */
export const LOOP_FOREVER = 1000;

export function loopCount(loop: number): number {
  return loop === 0 ? LOOP_FOREVER : loop;
}
