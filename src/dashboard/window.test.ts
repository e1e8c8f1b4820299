import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DashboardState } from './state.js';
import { RollingWindow } from './window.js';

test('the window keeps the last N seconds, consecutive, with gaps as null', () => {
  const w = new RollingWindow(5, 10);
  w.set(100, 'a', 1);
  w.set(101, 'a', 2);
  w.advance(103); // nothing at 102 and 103: gaps
  w.set(103, 'b', 30);
  assert.deepEqual(w.read().x, [100, 101, 102, 103]);
  assert.deepEqual(w.read().columns.get('a'), [1, 2, null, null]);
  assert.deepEqual(w.read().columns.get('b'), [null, null, null, 30]);
  w.set(106, 'a', 6);
  const { x, columns } = w.read();
  assert.deepEqual(x, [102, 103, 104, 105, 106], 'the oldest seconds fell out');
  assert.deepEqual(columns.get('a'), [null, null, null, null, 6], 'no value of 101 leaks into 106’s slot');
  assert.equal(w.set(101, 'a', 9), 'out-of-window');
  w.set(104, 'a', 4);
  assert.equal(w.get('a', 104), 4, 'a late value inside the window lands in its second');
});

test('memory is bounded: a jump far ahead clears the window, series beyond the limit are refused', () => {
  const w = new RollingWindow(3, 2);
  assert.equal(w.set(1, 'a', 1), 'new-series');
  assert.equal(w.set(1, 'b', 1), 'new-series');
  assert.equal(w.set(1, 'c', 1), 'dropped');
  assert.equal(w.set(2, 'a', 2), 'set');
  w.set(1_000_000, 'a', 7);
  assert.deepEqual(w.read().x, [999_998, 999_999, 1_000_000], 'still 3 seconds, not a million');
  assert.deepEqual(w.read().columns.get('b'), [null, null, null]);
  assert.deepEqual(w.prune(), ['b'], 'a series with nothing left in the window is pruned');
  assert.equal(w.set(1_000_000, 'c', 1), 'new-series', 'its place is free again');
});

test('a value for a second just before the first one extends the window back, within capacity', () => {
  const w = new RollingWindow(10, 4);
  w.set(100, 'a', 1);
  w.set(98, 'b', 2);
  assert.deepEqual(w.read().x, [98, 99, 100]);
  assert.equal(w.get('b', 98), 2);
});

const targets = [{ id: 't0', name: 'orders', url: 'http://127.0.0.1:1/metrics' }];

test('state: a failed scrape marks the target down once, with the time and the reason; success clears it', () => {
  const s = new DashboardState({ targets, windowSeconds: 60, maxSeriesPerGroup: 10 });
  const ok = {
    derived: {
      points: [{ panel: 'heap' as const, label: 'used', value: 5 }],
      exposed: new Set(['heap' as const]),
    },
  };
  const first = s.recordTarget('t0', 100, 100_000, ok);
  assert.equal(first.cameUp, true);
  assert.equal(first.changed, true, 'a new series: the page needs the whole state');
  assert.equal(s.recordTarget('t0', 101, 101_000, ok).changed, false);
  const down = s.recordTarget('t0', 102, 102_000, { error: 'connect ECONNREFUSED' });
  assert.equal(down.wentDown, 'connect ECONNREFUSED');
  assert.equal(s.recordTarget('t0', 103, 103_000, { error: 'again' }).wentDown, undefined, 'reported once');
  const g = s.pageGroups()[0];
  assert.equal(g?.up, false);
  assert.equal(g?.downSinceMs, 102_000, 'down since the first failure');
  assert.equal(s.recordTarget('t0', 104, 104_000, ok).cameUp, true);
  const data = s.data('snapshot', 104_500);
  assert.deepEqual(data.series[0]?.values, [5, 5, null, null, 5], 'the outage is a gap');
  assert.equal(data.groups[0]?.up, true);
});

test('state: client seconds land on the same axis; nonsense seconds are refused and noticed', () => {
  const s = new DashboardState({ targets, windowSeconds: 60, maxSeriesPerGroup: 10 });
  const now = 1_700_000_000_000;
  const sec = now / 1000;
  const point = {
    targetRate: 100,
    started: 98,
    p50: 3,
    p99: 40,
    errorsByKind: { timeout: 2 },
    schedulingLag: 1.5,
  };
  const r = s.recordClient(sec - 1, point, now);
  assert.equal(r.changed, true);
  assert.equal(Object.keys(r.values).length, 7, 'target, started, p50, p99, timeout, all errors, lag');
  assert.equal(
    s.pageGroups().some((g) => g.kind === 'client'),
    true,
    'the client section appears',
  );
  assert.equal(s.recordClient(sec - 1000, point, now).refused, true, 'before the window');
  assert.equal(s.recordClient(sec * 1000, point, now).refused, true, 'milliseconds given as seconds');
  assert.match(s.notices().join(), /2 client seconds were refused/);
});

test('state: a target that invents a new label every second is capped per target, and says so', () => {
  const s = new DashboardState({ targets, windowSeconds: 60, maxSeriesPerGroup: 5 });
  for (let i = 0; i < 50; i++) {
    const points = [{ panel: 'rate' as const, label: `route-${i}`, value: 1 }];
    s.recordTarget('t0', 100 + i, (100 + i) * 1000, {
      derived: { points, exposed: new Set(['rate' as const]) },
    });
  }
  assert.equal(s.data('live', 0).series.length, 5);
  assert.match(s.notices().join(), /orders: 45 series over the limit of 5 per target are not drawn/);
});
