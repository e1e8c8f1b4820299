import { readFileSync } from 'node:fs';
import { parseDuration } from '../shared/duration.js';
import { isPeaklabError, PeaklabError } from '../shared/errors.js';
import { PiecewiseLinear, type RateShape, type Segment, Sine } from './profile-shapes.js';

export type { RateShape } from './profile-shapes.js';

export interface Profile extends RateShape {
  readonly spec: string;
  /** The profile's own length (steps, trace), used when no --duration is given. */
  readonly naturalDurationS: number | undefined;
}

const KINDS = 'constant:R, ramp:A..B, steps:A,B,C@10s, sine:MIN..MAX@60s, spike:BASE,PEAK@5s, trace:FILE.csv';

function bad(spec: string, why: string): PeaklabError {
  return new PeaklabError('PL_PROFILE_INVALID', `rate profile "${spec}": ${why} (profiles: ${KINDS})`);
}

function rate(spec: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(n))
    throw bad(spec, `"${raw}" is not a rate`);
  if (n < 0) throw bad(spec, `rate ${n} is negative`);
  return n;
}

function seconds(spec: string, raw: string | undefined): number {
  try {
    const s = parseDuration(raw ?? '') / 1000;
    if (s <= 0) throw bad(spec, 'the period must be positive');
    return s;
  } catch (err) {
    if (isPeaklabError(err, 'PL_PROFILE_INVALID')) throw err;
    throw bad(spec, `"${raw ?? ''}" is not a duration`);
  }
}

function needDuration(spec: string, durationS: number | undefined): number {
  if (durationS === undefined) throw bad(spec, 'this profile needs --duration');
  return durationS;
}

function range(spec: string, body: string): [number, number] {
  const m = /^([^.]*)\.\.(.*)$/.exec(body);
  if (!m) throw bad(spec, 'expected MIN..MAX');
  return [rate(spec, m[1]), rate(spec, m[2])];
}

function atPeriod(spec: string, body: string): [string, number] {
  const at = body.lastIndexOf('@');
  if (at < 0) throw bad(spec, 'expected ...@DURATION');
  return [body.slice(0, at), seconds(spec, body.slice(at + 1))];
}

function traceSegments(spec: string, file: string): Segment[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw bad(spec, `cannot read trace file ${file}`);
  }
  const points: [number, number][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [sec, rps] = trimmed.split(',').map((s) => s.trim());
    if (i === 0 && !Number.isFinite(Number(sec))) return; // a header line such as "second,rps"
    const t = Number(sec);
    if (!Number.isFinite(t) || t < 0) throw bad(spec, `line ${i + 1}: "${sec}" is not a second`);
    points.push([t, rate(spec, rps)]);
  });
  if (points.length === 0) throw bad(spec, 'the trace file has no "second,rps" lines');
  points.sort((a, b) => a[0] - b[0]);
  const segs: Segment[] = [];
  if ((points[0] as [number, number])[0] > 0) segs.push({ t0: 0, t1: points[0]![0], r0: 0, r1: 0 });
  points.forEach(([t, r], i) => {
    segs.push({ t0: t, t1: points[i + 1]?.[0] ?? t + 1, r0: r, r1: r });
  });
  // The trace ends after its last second: the rate drops to zero.
  const end = segs[segs.length - 1]!.t1;
  segs.push({ t0: end, t1: end + 1, r0: 0, r1: 0 });
  return segs;
}

function shapeOf(spec: string, kind: string, body: string, durationS: number | undefined) {
  switch (kind) {
    case 'constant': {
      const r = rate(spec, body);
      return { shape: new PiecewiseLinear([{ t0: 0, t1: 1, r0: r, r1: r }]), natural: undefined };
    }
    case 'ramp': {
      const [a, b] = range(spec, body);
      const d = needDuration(spec, durationS);
      return { shape: new PiecewiseLinear([{ t0: 0, t1: d, r0: a, r1: b }]), natural: undefined };
    }
    case 'steps': {
      const [list, step] = atPeriod(spec, body);
      const rates = list.split(',').map((r) => rate(spec, r));
      const segs = rates.map((r, i) => ({ t0: i * step, t1: (i + 1) * step, r0: r, r1: r }));
      return { shape: new PiecewiseLinear(segs), natural: rates.length * step };
    }
    case 'sine': {
      const [span, period] = atPeriod(spec, body);
      const [min, max] = range(spec, span);
      return { shape: new Sine(min, max, period), natural: undefined };
    }
    case 'spike': {
      const [pair, len] = atPeriod(spec, body);
      const parts = pair.split(',');
      if (parts.length !== 2) throw bad(spec, 'expected spike:BASE,PEAK@DURATION');
      const [base, peak] = parts.map((r) => rate(spec, r)) as [number, number];
      const d = needDuration(spec, durationS);
      // The spike sits in the middle of the run, with the base rate before and after it.
      const start = Math.max(0, (d - len) / 2);
      const segs = [
        { t0: 0, t1: start, r0: base, r1: base },
        { t0: start, t1: start + len, r0: peak, r1: peak },
        { t0: start + len, t1: start + len + 1, r0: base, r1: base },
      ].filter((s) => s.t1 > s.t0);
      return { shape: new PiecewiseLinear(segs), natural: undefined };
    }
    case 'trace': {
      const segs = traceSegments(spec, body);
      return { shape: new PiecewiseLinear(segs), natural: segs[segs.length - 1]!.t0 };
    }
    default:
      throw bad(spec, `unknown profile "${kind}"`);
  }
}

/** Parses a rate profile. Bad specs throw PL_PROFILE_INVALID naming what is wrong. */
export function parseProfile(spec: string, durationS?: number): Profile {
  const colon = spec.indexOf(':');
  if (colon < 0) throw bad(spec, 'expected KIND:ARGS');
  const { shape, natural } = shapeOf(
    spec,
    spec.slice(0, colon).trim(),
    spec.slice(colon + 1).trim(),
    durationS,
  );
  return {
    spec,
    naturalDurationS: natural,
    rateAt: (t) => shape.rateAt(t),
    integral: (t) => shape.integral(t),
    timeOf: (n, from) => shape.timeOf(n, from),
    startOf: (k, from) => shape.startOf(k, from),
  };
}
