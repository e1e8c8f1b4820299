import type { Bench } from 'tinybench';

/** One row of a micro-benchmark table: a task's cost per operation. */
export interface Row {
  group: string;
  name: string;
  /** Mean nanoseconds per operation (a task runs `opsPerTask` operations per sample). */
  nsPerOp: number;
  /** Relative margin of error of the mean, percent (95% confidence). */
  rme: number;
  samples: number;
  /** nsPerOp divided by the group's reference row's. */
  ratio: number;
}

/**
 * The rows of a finished bench. Each task name maps to how many operations one call of it does
 * (tasks batch operations so that the timer's own cost, tens of ns, does not swamp a 1 ns add);
 * `reference` is the name every ratio is relative to. Throws if a task failed.
 */
export function rowsOf(
  bench: Bench,
  group: string,
  opsPerTask: Record<string, number>,
  reference: string,
): Row[] {
  const rows = bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${group} / ${task.name}: ${r.state}`);
    const ops = opsPerTask[task.name] ?? 1;
    return {
      group,
      name: task.name,
      nsPerOp: (r.latency.mean * 1e6) / ops,
      rme: r.latency.rme,
      samples: r.latency.samplesCount,
      ratio: 0,
    };
  });
  const ref = rows.find((row) => row.name === reference)?.nsPerOp ?? Number.NaN;
  for (const row of rows) row.ratio = row.nsPerOp / ref;
  return rows;
}

function fmt(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

/** A markdown table: group, task, time per op, ± error, samples, ratio to the reference. */
export function formatTable(rows: Row[]): string {
  const head = ['group', 'task', 'per op', '± rme', 'samples', 'vs ref'];
  const body = rows.map((r) => [
    r.group,
    r.name,
    fmt(r.nsPerOp),
    `${r.rme.toFixed(1)}%`,
    String(r.samples),
    `${r.ratio.toFixed(r.ratio < 10 ? 2 : 0)}x`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), '|---|---|---:|---:|---:|---:|', ...body.map(line)].join('\n');
}
