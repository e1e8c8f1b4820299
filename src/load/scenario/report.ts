import type { Chart, Section } from '../../report/mod.js';
import { renderTable } from '../../report/mod.js';
import { formatMs } from '../../shared/duration.js';
import type { LoadResult } from '../types.js';
import type { StepResult } from './types.js';

const PALETTE = ['#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#c62828', '#00838f', '#5d4037', '#ad1457'];

/** A step's mix of outcomes, most frequent first: "200 ×900, 409 ×80, timeout ×2". */
export function outcomeMix(step: StepResult): string {
  const rows = [...Object.entries(step.status), ...Object.entries(step.errors)].sort((a, b) => b[1] - a[1]);
  return rows.map(([k, v]) => `${k} ×${v}`).join(', ') || '–';
}

/** The text report's scenario part: one block per step, and the step identity. */
export function renderStepsText(result: LoadResult): string {
  const steps = result.steps ?? [];
  const lines = [
    '',
    `Scenario ${result.settings.scenario ?? ''}: the summary above counts flows (a flow is ok when it resolved and the last attempt of each step was ok).`,
    "Steps (latency from the step's call, so a wait for a free connection counts):",
  ];
  for (const s of steps) {
    const p = s.latency.percentiles;
    lines.push(
      `  ${s.name}`,
      `    ${s.started} started = ${s.ok} ok + ${s.failed} failed + ${s.unfinished} unfinished`,
      `    p50 ${formatMs(p.p50 ?? 0)}  p90 ${formatMs(p.p90 ?? 0)}  p99 ${formatMs(p.p99 ?? 0)}  max ${formatMs(s.latency.maxMs)}`,
      `    outcomes: ${outcomeMix(s)}`,
    );
  }
  const counters = Object.entries(result.counters ?? {}).sort((a, b) => b[1] - a[1]);
  if (counters.length > 0) lines.push('Counters (api.count):', ...counters.map(([k, v]) => `  [${k}]\t${v}`));
  lines.push('');
  return lines.join('\n');
}

/** The steps table (one row per step), shared by `peaklab load`'s HTML report and the labs. */
export function stepsTable(steps: readonly StepResult[]): string {
  return renderTable({
    head: [
      'step',
      'started',
      'ok',
      'failed',
      'unfinished',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'outcomes',
    ],
    rows: steps.map((s) => [
      s.name,
      s.started,
      s.ok,
      s.failed,
      s.unfinished,
      s.latency.percentiles.p50 ?? 0,
      s.latency.percentiles.p90 ?? 0,
      s.latency.percentiles.p99 ?? 0,
      s.latency.maxMs,
      outcomeMix(s),
    ]),
  });
}

/** Per-step charts: completed steps per second by step, and each step's p99 per second. */
export function stepCharts(steps: readonly StepResult[], idPrefix = 'steps'): Chart[] {
  const seconds = Math.max(0, ...steps.map((s) => s.timeline.length));
  const x = Array.from({ length: seconds }, (_, i) => i);
  const at = (s: StepResult, f: (t: NonNullable<StepResult['timeline'][number]>) => number) =>
    x.map((i) => {
      const t = s.timeline[i];
      return t ? f(t) : 0;
    });
  return [
    {
      id: `${idPrefix}-rate`,
      title: 'Steps per second: ok (solid) and failed (dashed)',
      x,
      xLabel: 'second',
      yLabel: 'steps/s',
      series: steps.flatMap((s, i) => [
        { label: `${s.name} ok`, values: at(s, (t) => t.ok), color: PALETTE[i % PALETTE.length] as string },
        {
          label: `${s.name} failed`,
          values: at(s, (t) => t.failed),
          color: PALETTE[i % PALETTE.length] as string,
          dash: true,
        },
      ]),
    },
    {
      id: `${idPrefix}-p99`,
      title: 'Step latency per second: p50 (dashed) and p99 (ms)',
      x,
      xLabel: 'second',
      yLabel: 'ms',
      series: steps.flatMap((s, i) => [
        {
          label: `${s.name} p99`,
          values: at(s, (t) => t.p99Ms),
          color: PALETTE[i % PALETTE.length] as string,
        },
        {
          label: `${s.name} p50`,
          values: at(s, (t) => t.p50Ms),
          color: PALETTE[i % PALETTE.length] as string,
          dash: true,
        },
      ]),
    },
  ];
}

/** The HTML report's scenario section. */
export function stepsSection(result: LoadResult): Section {
  const steps = result.steps ?? [];
  return {
    title: 'Steps',
    html: `<p>Scenario ${result.settings.scenario ?? ''}: the summary counts flows; each step is timed from its call.</p>${stepsTable(steps)}`,
    charts: stepCharts(steps),
  };
}
