import assert from 'node:assert/strict';
import type { LoadResult } from '../types.js';

const sum = (xs: Record<string, number>) => Object.values(xs).reduce((a, b) => a + b, 0);

/**
 * Asserts the accounting identities of a result, as docs/load.md states them:
 * scheduled = started + dropped; started = ok + failed + unfinished; completed = ok + failed =
 * every status plus every error kind (one outcome each); the timeline adds up to the summary.
 */
export function assertAccounting(r: LoadResult, why = ''): void {
  const s = r.summary;
  const at = (what: string) => `${what}${why ? ` (${why})` : ''}: ${JSON.stringify(s)}`;
  assert.equal(typeof s.unfinished, 'number', at('summary.unfinished'));
  assert.equal(s.scheduled, s.started + s.dropped, at('scheduled = started + dropped'));
  assert.equal(s.started, s.ok + s.failed + (s.unfinished ?? 0), at('started = ok + failed + unfinished'));
  assert.equal(s.completed, s.ok + s.failed, at('completed = ok + failed'));
  assert.equal(sum(s.status) + sum(s.errors), s.completed, at('one outcome per completed request'));
  assert.equal(s.errors.unfinished, undefined, at('unfinished is not an error kind'));
  const tl = (f: (x: LoadResult['timeline'][number]) => number) => r.timeline.reduce((n, x) => n + f(x), 0);
  assert.equal(
    tl((x) => x.started),
    s.started,
    at('timeline started'),
  );
  assert.equal(
    tl((x) => x.dropped),
    s.dropped,
    at('timeline dropped'),
  );
  assert.equal(
    tl((x) => x.completed),
    s.completed,
    at('timeline completed'),
  );
  assert.equal(
    tl((x) => x.unfinished ?? 0),
    s.unfinished,
    at('timeline unfinished'),
  );
  assert.equal(
    tl((x) => sum(x.status) + sum(x.errors)),
    s.completed,
    at('timeline outcomes'),
  );
  assert.equal(r.latency.count, s.completed, at('one latency per completed request'));
}
