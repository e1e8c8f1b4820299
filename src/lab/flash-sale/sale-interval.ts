/**
 * A sale interval (seconds) whose current sale lasts at least `needMs` more from `nowMs`: sales
 * are aligned to whole multiples of the interval since the epoch, so an hourly sale that opened
 * at 16:00 ends at 17:00 whatever time the lab starts. Tries 1 h, 2 h, ... 24 h (the service's
 * bound) and takes the first that leaves enough time; undefined when none does.
 */
export function saleIntervalFor(nowMs: number, needMs: number): number | undefined {
  for (let hours = 1; hours <= 24; hours++) {
    const intervalMs = hours * 3_600_000;
    const left = intervalMs - (nowMs % intervalMs);
    if (left >= needMs) return intervalMs / 1000;
  }
  return undefined;
}
