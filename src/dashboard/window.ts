/** What `RollingWindow.set` did with a value. */
export type SetOutcome = 'set' | 'new-series' | 'dropped' | 'out-of-window';

/** The window's contents: every second from the oldest kept to the newest, and one column per series. */
export interface WindowData {
  /** Epoch seconds, consecutive, oldest first. */
  x: number[];
  /** Series key to one value per x; null is a gap (nothing measured that second). */
  columns: Map<string, (number | null)[]>;
}

/**
 * The last `capacity` seconds of up to `maxSeries` series, in fixed memory: a ring of slots, one per
 * second, and one Float64Array column per series (NaN = no value), so memory is
 * capacity × maxSeries × 8 bytes at most whatever the targets send. A series without a value in the
 * whole window is pruned, so a label that went away frees its slot for another.
 */
export class RollingWindow {
  private readonly slotSecond: Float64Array;
  private readonly columns = new Map<string, Float64Array>();
  /** Series key to the last second it got a value: for pruning without scanning columns. */
  private readonly lastSet = new Map<string, number>();
  private first: number | undefined;
  private last: number | undefined;

  constructor(
    readonly capacity: number,
    readonly maxSeries: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity ${capacity}: at least 1 s`);
    if (!Number.isInteger(maxSeries) || maxSeries < 1)
      throw new RangeError(`maxSeries ${maxSeries}: at least 1`);
    this.slotSecond = new Float64Array(capacity).fill(Number.NaN);
  }

  /** The newest second, or undefined before the first. */
  get newest(): number | undefined {
    return this.last;
  }

  /** The oldest second still held. */
  get oldest(): number | undefined {
    if (this.first === undefined || this.last === undefined) return undefined;
    return Math.max(this.first, this.last - this.capacity + 1);
  }

  get seriesCount(): number {
    return this.columns.size;
  }

  has(key: string): boolean {
    return this.columns.has(key);
  }

  /**
   * Moves the window's end to `second` (epoch s, integer): the seconds in between become gaps, and
   * the oldest ones fall out. A second at or before the current end changes nothing.
   */
  advance(second: number): void {
    if (this.last === undefined || this.first === undefined) {
      this.first = second;
      this.last = second;
      this.claim(second);
      return;
    }
    if (second <= this.last) return;
    // Only the slots that will hold new seconds need clearing: at most `capacity` of them.
    const from = Math.max(this.last + 1, second - this.capacity + 1);
    for (let s = from; s <= second; s++) this.claim(s);
    this.last = second;
  }

  /**
   * Records `value` for series `key` at `second`, advancing the window if `second` is newer. A new
   * series beyond `maxSeries` is dropped (the caller reports it); a second older than the window is
   * ignored.
   */
  set(second: number, key: string, value: number): SetOutcome {
    this.advance(second);
    this.reachBack(second);
    const oldest = this.oldest as number;
    if (second < oldest) return 'out-of-window';
    let column = this.columns.get(key);
    let outcome: SetOutcome = 'set';
    if (column === undefined) {
      if (this.columns.size >= this.maxSeries) return 'dropped';
      column = new Float64Array(this.capacity).fill(Number.NaN);
      this.columns.set(key, column);
      outcome = 'new-series';
    }
    column[this.slot(second)] = value;
    this.lastSet.set(key, Math.max(this.lastSet.get(key) ?? second, second));
    return outcome;
  }

  /** Drops series with no value left in the window; returns their keys. */
  prune(): string[] {
    const oldest = this.oldest;
    if (oldest === undefined) return [];
    const gone: string[] = [];
    for (const [key, at] of this.lastSet) {
      if (at >= oldest) continue;
      this.columns.delete(key);
      this.lastSet.delete(key);
      gone.push(key);
    }
    return gone;
  }

  /** The value of `key` at `second`, or null for a gap or a second outside the window. */
  get(key: string, second: number): number | null {
    const column = this.columns.get(key);
    if (column === undefined || this.slotSecond[this.slot(second)] !== second) return null;
    const v = column[this.slot(second)] as number;
    return Number.isNaN(v) ? null : v;
  }

  /** A copy of everything held, for a page or a snapshot. */
  read(): WindowData {
    const oldest = this.oldest;
    const newest = this.last;
    if (oldest === undefined || newest === undefined) return { x: [], columns: new Map() };
    const x: number[] = [];
    for (let s = oldest; s <= newest; s++) x.push(s);
    const columns = new Map<string, (number | null)[]>();
    for (const key of this.columns.keys())
      columns.set(
        key,
        x.map((s) => this.get(key, s)),
      );
    return { x, columns };
  }

  // A value for a second before the first one held, while there is room: the window starts there.
  private reachBack(second: number): void {
    if (this.first === undefined || this.last === undefined) return;
    if (second >= this.first || second <= this.last - this.capacity) return;
    for (let s = second; s < this.first; s++) this.claim(s);
    this.first = second;
  }

  private slot(second: number): number {
    return ((second % this.capacity) + this.capacity) % this.capacity;
  }

  // Gives a slot to `second`: whatever an older second left there is erased from every column.
  private claim(second: number): void {
    const i = this.slot(second);
    this.slotSecond[i] = second;
    for (const column of this.columns.values()) column[i] = Number.NaN;
  }
}
