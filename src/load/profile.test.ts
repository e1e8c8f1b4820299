import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { parseProfile } from './profile.js';

/** Start times of requests 0..n-1, as the scheduler computes them. */
function starts(spec: string, durationS: number): number[] {
  const p = parseProfile(spec, durationS);
  const out: number[] = [];
  let t = p.startOf(0, 0);
  for (let k = 0; t < durationS; k++) {
    out.push(t);
    t = p.startOf(k + 1, t);
  }
  return out;
}

test('constant: starts are evenly spaced and their count is the integral', () => {
  const s = starts('constant:200', 5);
  assert.equal(s.length, 1000);
  assert.ok(Math.abs((s[1] as number) - (s[0] as number) - 0.005) < 1e-9);
});

test('ramp, steps, spike and sine: the k-th start is where the integral reaches k', () => {
  for (const [spec, d] of [
    ['ramp:0..100', 10],
    ['steps:10,50,100@2s', 6],
    ['spike:20,200@2s', 10],
    ['sine:0..100@20s', 20],
  ] as const) {
    const p = parseProfile(spec, d);
    const s = starts(spec, d);
    assert.ok(
      Math.abs(s.length - p.integral(d)) <= 1,
      `${spec}: ${s.length} starts vs integral ${p.integral(d)}`,
    );
    s.forEach((t, k) => {
      assert.ok(
        Math.abs(p.integral(t) - k) < 1e-6,
        `${spec}: start ${k} at ${t} has integral ${p.integral(t)}`,
      );
    });
  }
});

test('sine starts at its minimum and peaks at half the period', () => {
  const p = parseProfile('sine:10..100@60s', 60);
  assert.ok(Math.abs(p.rateAt(0) - 10) < 1e-9);
  assert.ok(Math.abs(p.rateAt(30) - 100) < 1e-9);
  assert.ok(Math.abs(p.integral(60) - 55 * 60) < 1e-6);
});

test('steps and spike hold each level for its length; spike sits mid-run', () => {
  const steps = parseProfile('steps:10,50,100@10s');
  assert.equal(steps.naturalDurationS, 30);
  assert.deepEqual([steps.rateAt(5), steps.rateAt(15), steps.rateAt(25)], [10, 50, 100]);
  const spike = parseProfile('spike:20,200@5s', 15);
  assert.deepEqual([spike.rateAt(2), spike.rateAt(7), spike.rateAt(12)], [20, 200, 20]);
});

test('trace replays second,rps lines, with or without a header', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-trace-'));
  const file = join(dir, 'trace.csv');
  writeFileSync(file, 'second,rps\n0,10\n1,30\n2,20\n');
  const p = parseProfile(`trace:${file}`);
  assert.equal(p.naturalDurationS, 3);
  assert.equal(p.integral(3), 60);
  assert.equal(p.rateAt(1.5), 30);
});

test('bad profiles are PL_PROFILE_INVALID with the reason', () => {
  for (const [spec, why] of [
    ['wobble:1', 'unknown profile'],
    ['constant:-5', 'negative'],
    ['constant:abc', 'not a rate'],
    ['ramp:0..100', 'needs --duration'],
    ['sine:0..100', 'expected ...@DURATION'],
    ['steps:1,2@0s', 'positive'],
    ['trace:/nonexistent/x.csv', 'cannot read'],
    ['100', 'expected KIND:ARGS'],
  ]) {
    assert.throws(
      () => parseProfile(spec as string),
      (e: unknown) => isPeaklabError(e, 'PL_PROFILE_INVALID') && e.message.includes(why as string),
      spec,
    );
  }
});

test('starts follow the integral exactly: none at a zero rate, each second gets its share', () => {
  // [spec, duration, expected starts per second]: zero rates, zero steps first, mid and last,
  // ramps from and to zero, a trace that opens at zero.
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-trace0-'));
  const trace = join(dir, 'zero-first.csv');
  writeFileSync(trace, '0,0\n1,0\n2,5\n');
  const cases: [string, number, number[]][] = [
    ['constant:0', 3, [0, 0, 0]],
    ['steps:0,10@2s', 4, [0, 0, 10, 10]],
    ['steps:0,0,7@1s', 3, [0, 0, 7]],
    ['steps:10,0,10@1s', 3, [10, 0, 10]],
    ['steps:4,0@1s', 3, [4, 0, 0]],
    ['steps:0@1s', 2, [0, 0]],
    ['ramp:0..20', 2, [5, 15]],
    ['ramp:0..0', 2, [0, 0]],
    ['ramp:20..0', 2, [15, 5]],
    ['sine:0..0@10s', 2, [0, 0]],
    [`trace:${trace}`, 4, [0, 0, 5, 0]],
  ];
  for (const [spec, d, perSecond] of cases) {
    const p = parseProfile(spec, d);
    const s = starts(spec, d);
    assert.equal(
      s.length,
      Math.round(p.integral(d)),
      `${spec}: ${s.length} starts vs integral ${p.integral(d)}`,
    );
    const got = perSecond.map((_, sec) => s.filter((t) => Math.floor(t + 1e-9) === sec).length);
    assert.deepEqual(got, perSecond, `${spec}: starts per second`);
    for (let sec = 0; sec < d; sec++) {
      assert.equal(got[sec], Math.round(p.integral(sec + 1) - p.integral(sec)), `${spec}: second ${sec}`);
    }
    // No start where the rate is zero for good: every start has the integral still to pass.
    s.forEach((t, k) => {
      assert.ok(p.integral(t) <= k + 1e-9 && p.rateAt(t + 1e-6) > 0, `${spec}: start ${k} at ${t}`);
    });
  }
});
