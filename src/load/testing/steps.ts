import assert from 'node:assert/strict';
import type { StepResult } from '../scenario/types.js';
import type { LoadResult } from '../types.js';

const sum = (xs: Record<string, number>) => Object.values(xs).reduce((a, b) => a + b, 0);

/** The step named `name` of a scenario result (fails the test when there is none). */
export function step(r: LoadResult, name: string): StepResult {
  const s = r.steps?.find((x) => x.name === name);
  assert.ok(s, `step ${name} in ${JSON.stringify(r.steps?.map((x) => x.name))}`);
  return s;
}

/**
 * Every step has one outcome: started = ok + failed + unfinished; statuses + errors = completed;
 * one latency per completed call; each step's timeline adds up to its totals.
 */
export function assertSteps(r: LoadResult): void {
  for (const s of r.steps ?? []) {
    assert.equal(s.started, s.ok + s.failed + s.unfinished, `${s.name}: ${JSON.stringify(s)}`);
    assert.equal(s.completed, s.ok + s.failed, s.name);
    assert.equal(sum(s.status) + sum(s.errors), s.completed, s.name);
    assert.equal(s.latency.count, s.completed, s.name);
    const tl = (f: (t: StepResult['timeline'][number]) => number) => s.timeline.reduce((n, t) => n + f(t), 0);
    assert.equal(
      tl((t) => t.started),
      s.started,
      `${s.name} timeline started`,
    );
    assert.equal(
      tl((t) => t.completed),
      s.completed,
      `${s.name} timeline completed`,
    );
    assert.equal(
      tl((t) => t.unfinished),
      s.unfinished,
      `${s.name} timeline unfinished`,
    );
  }
}
