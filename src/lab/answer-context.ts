import { formatMs } from '../shared/duration.js';
import type { Backends, LabSettings, ModeAnalysis } from './types.js';

/** What the answers are generated from: this run's settings, backends and both modes' analyses. */
export interface AnswerInput {
  settings: Pick<
    LabSettings,
    'minRps' | 'maxRps' | 'periodMs' | 'cycles' | 'rpsLimit' | 'processRps' | 'drainTimeoutMs'
  >;
  backends: Backends;
  shed: ModeAnalysis;
  queue: ModeAnalysis;
}

/** Milliseconds for prose; "n/a" when the run produced no value. */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : formatMs(value);
}

export function pct(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = (100 * part) / whole;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "fell", "rose" or "stayed about the same": a change under 20% on a noisy 2-core box is not a change. */
export function direction(from: number, to: number): 'fell' | 'rose' | 'stayed about the same' {
  if (from <= 0 && to <= 0) return 'stayed about the same';
  const ratio = from <= 0 ? Number.POSITIVE_INFINITY : to / from;
  if (ratio < 0.8) return 'fell';
  if (ratio > 1.25) return 'rose';
  return 'stayed about the same';
}

export function ratioText(from: number, to: number): string {
  if (from <= 0 || to <= 0) return '';
  const r = to / from;
  return r >= 1 ? ` (${r.toFixed(1)}×)` : ` (${(1 / r).toFixed(1)}× lower)`;
}
