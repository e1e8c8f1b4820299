import { cleanLabel, type Derived } from './derive.js';
import { CLIENT_PANELS, type ClientSecond, type PanelId, type PanelSpec, SERVER_PANELS } from './panels.js';
import { RollingWindow } from './window.js';

/** A target as the page names it. */
export interface TargetInfo {
  /** "t0", "t1", ...: stable, safe in element ids. */
  id: string;
  /** What the page shows: NAME from `--target NAME=URL`, else host:port. */
  name: string;
  /** The /metrics URL scraped. */
  url: string;
}

/** A section of the page: one per target, plus the client's once it has pushed data. */
export interface PageGroup {
  id: string;
  kind: 'target' | 'client';
  title: string;
  url?: string;
  /** null: not scraped yet. Always true for the client. */
  up: boolean | null;
  /** Why the last scrape failed (our own words: the target's body is never echoed). */
  error?: string;
  /** Epoch ms of the first failed scrape of the current outage. */
  downSinceMs?: number;
  /** Panels whose metric the last successful scrape exposed. */
  exposed: PanelId[];
}

/** A series as the page gets it: values aligned with `x`. */
export interface PageSeries {
  id: number;
  group: string;
  panel: PanelId;
  label: string;
  values: (number | null)[];
}

/** Everything a page needs to draw itself: the live page's first state, or a whole snapshot. */
export interface DashboardData {
  mode: 'live' | 'snapshot';
  generatedAtMs: number;
  windowSeconds: number;
  panels: { server: readonly PanelSpec[]; client: readonly PanelSpec[] };
  groups: PageGroup[];
  /** Epoch seconds, consecutive. */
  x: number[];
  series: PageSeries[];
  /** Things the user must know that are no target's outage: series over the limit, refused data. */
  notices: string[];
}

/** One second's new values, by series id; the page upserts them (absent ids keep their value). */
export interface PointsEvent {
  second: number;
  values: Record<string, number>;
  groups?: PageGroup[];
  notices?: string[];
}

export interface StateOptions {
  targets: readonly TargetInfo[];
  windowSeconds: number;
  /** Series each target (and the client) may hold in the window. */
  maxSeriesPerGroup: number;
}

interface Meta {
  id: number;
  group: string;
  panel: PanelId;
  label: string;
}

const CLIENT = 'client';
/** Refused series remembered per group, to count them once each without growing for ever. */
const MAX_DROPPED_KEYS = 10_000;

/**
 * The dashboard's memory: the rolling window, which series it holds, and each target's health.
 * Pure bookkeeping, no I/O: the scrape loop and pushClient feed it, the server reads it.
 */
export class DashboardState {
  readonly windowSeconds: number;
  private readonly window: RollingWindow;
  private readonly meta = new Map<string, Meta>();
  private readonly perGroup = new Map<string, number>();
  /** Per group, the keys of series refused for the limit (bounded: only their count is shown). */
  private readonly dropped = new Map<string, Set<string>>();
  private readonly groups = new Map<string, PageGroup>();
  private readonly maxPerGroup: number;
  private refusedClient = 0;
  private nextId = 1;

  constructor(opts: StateOptions) {
    this.windowSeconds = opts.windowSeconds;
    this.maxPerGroup = opts.maxSeriesPerGroup;
    this.window = new RollingWindow(opts.windowSeconds, opts.maxSeriesPerGroup * (opts.targets.length + 1));
    for (const t of opts.targets) {
      this.groups.set(t.id, { id: t.id, kind: 'target', title: t.name, url: t.url, up: null, exposed: [] });
    }
  }

  /** The newest second held. */
  get newest(): number | undefined {
    return this.window.newest;
  }

  /** Moves the time axis to `second`, so that every target's silence shows as a gap. */
  advance(second: number): void {
    this.window.advance(second);
  }

  /**
   * Records one scrape of a target at `second`. Returns the values set and whether the set of series
   * changed (then the page needs the whole state again), plus the health change, if any.
   */
  recordTarget(
    id: string,
    second: number,
    atMs: number,
    outcome: { derived: Derived } | { error: string },
  ): { values: Record<string, number>; changed: boolean; wentDown?: string; cameUp?: boolean } {
    const group = this.groups.get(id);
    if (group === undefined) throw new RangeError(`no target ${id}`);
    this.window.advance(second);
    if ('error' in outcome) {
      const wasUp = group.up !== false;
      group.up = false;
      group.error = outcome.error;
      if (wasUp) group.downSinceMs = atMs;
      return { values: {}, changed: false, ...(wasUp ? { wentDown: outcome.error } : {}) };
    }
    const cameUp = group.up !== true;
    group.up = true;
    delete group.error;
    delete group.downSinceMs;
    group.exposed = [...outcome.derived.exposed];
    const values: Record<string, number> = {};
    let changed = false;
    for (const p of outcome.derived.points) {
      const r = this.put(id, p.panel, p.label, second, p.value);
      if (r === undefined) continue;
      values[r.id] = p.value;
      changed ||= r.created;
    }
    return { values, changed, ...(cameUp ? { cameUp } : {}) };
  }

  /**
   * Records the load generator's numbers for `second`. A second outside the window (or far ahead of
   * the clock) is refused and counted: it could only be a caller's unit mistake.
   */
  recordClient(
    second: number,
    point: ClientSecond,
    nowMs: number,
  ): { values: Record<string, number>; changed: boolean; refused: boolean } {
    const nowS = Math.floor(nowMs / 1000);
    if (!Number.isFinite(second) || second > nowS + 5 || second <= nowS - this.windowSeconds) {
      this.refusedClient++;
      return { values: {}, changed: false, refused: true };
    }
    const s = Math.floor(second);
    let changed = false;
    if (!this.groups.has(CLIENT)) {
      this.groups.set(CLIENT, {
        id: CLIENT,
        kind: 'client',
        title: 'Client (load generator)',
        up: true,
        exposed: [],
      });
      changed = true;
    }
    const values: Record<string, number> = {};
    const put = (panel: PanelId, label: string, value: number | null) => {
      if (value === null || !Number.isFinite(value)) return;
      const r = this.put(CLIENT, panel, label, s, value);
      if (r === undefined) return;
      values[r.id] = value;
      changed ||= r.created;
    };
    put('client-rate', 'target', point.targetRate);
    put('client-rate', 'started', point.started);
    put('client-latency', 'p50', point.p50);
    put('client-latency', 'p99', point.p99);
    let errors = 0;
    for (const [kind, n] of Object.entries(point.errorsByKind ?? {})) {
      if (!Number.isFinite(n)) continue;
      errors += n;
      put('client-errors', cleanLabel(kind), n);
    }
    // The sum always exists, so a run without errors draws 0 rather than hiding the panel.
    put('client-errors', 'all errors', errors);
    put('client-lag', 'scheduling lag', point.schedulingLag);
    return { values, changed, refused: false };
  }

  /** Forgets series with no value in the window; true if any went. */
  prune(): boolean {
    const gone = this.window.prune();
    for (const key of gone) {
      const m = this.meta.get(key);
      if (m === undefined) continue;
      this.meta.delete(key);
      this.perGroup.set(m.group, (this.perGroup.get(m.group) ?? 1) - 1);
    }
    return gone.length > 0;
  }

  pageGroups(): PageGroup[] {
    return [...this.groups.values()].map((g) => ({ ...g, exposed: [...g.exposed] }));
  }

  notices(): string[] {
    const out: string[] = [];
    for (const [group, keys] of this.dropped) {
      const name = this.groups.get(group)?.title ?? group;
      const n = keys.size >= MAX_DROPPED_KEYS ? `over ${MAX_DROPPED_KEYS}` : String(keys.size);
      out.push(`${name}: ${n} series over the limit of ${this.maxPerGroup} per target are not drawn`);
    }
    if (this.refusedClient > 0) {
      out.push(`${this.refusedClient} client seconds were refused: their time was outside the window`);
    }
    return out;
  }

  /** The whole window, for a page's first draw or a snapshot. */
  data(mode: 'live' | 'snapshot', nowMs: number): DashboardData {
    const { x, columns } = this.window.read();
    const series: PageSeries[] = [];
    for (const [key, values] of columns) {
      const m = this.meta.get(key);
      if (m !== undefined) series.push({ ...m, values });
    }
    series.sort((a, b) => a.id - b.id);
    return {
      mode,
      generatedAtMs: nowMs,
      windowSeconds: this.windowSeconds,
      panels: { server: SERVER_PANELS, client: CLIENT_PANELS },
      groups: this.pageGroups(),
      x,
      series,
      notices: this.notices(),
    };
  }

  private drop(group: string, key: string): void {
    const keys = this.dropped.get(group) ?? new Set<string>();
    if (keys.size < MAX_DROPPED_KEYS) keys.add(key);
    this.dropped.set(group, keys);
  }

  private put(
    group: string,
    panel: PanelId,
    label: string,
    second: number,
    value: number,
  ): { id: number; created: boolean } | undefined {
    const key = `${group}\u0000${panel}\u0000${label}`;
    const known = this.meta.get(key);
    if (known === undefined && (this.perGroup.get(group) ?? 0) >= this.maxPerGroup) {
      this.drop(group, key);
      return undefined;
    }
    const outcome = this.window.set(second, key, value);
    if (outcome === 'out-of-window') return undefined;
    if (outcome === 'dropped') {
      this.drop(group, key);
      return undefined;
    }
    if (known !== undefined) return { id: known.id, created: false };
    const meta = { id: this.nextId++, group, panel, label };
    this.meta.set(key, meta);
    this.perGroup.set(group, (this.perGroup.get(group) ?? 0) + 1);
    return { id: meta.id, created: true };
  }
}
