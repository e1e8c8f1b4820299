import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { runCli } from './testing/cli.js';
import { startServer } from './testing/server.js';
import type { SecondStats } from './types.js';

/**
 * No ghost trailing second: the schedule's seconds and the drain after them are kept apart and
 * labelled, and the achieved rate is taken over the schedule.
 */

test('constant:100 for 3s: 300 started, achieved 100.0/s, three schedule seconds, drain labelled', async () => {
  // Each response takes 30 ms, so the last ones finish after the schedule: a real drain.
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 30));
  try {
    const seconds: SecondStats[] = [];
    const r = await runLoad(
      { target: `${server.url}/`, rate: 'constant:100', durationMs: 3000 },
      { onSecond: (s) => seconds.push(s) },
    );
    assert.equal(r.summary.started, 300);
    assert.equal(r.summary.durationMs, 3000);
    assert.equal(r.summary.achievedRate, 100);
    assert.equal(r.summary.targetRate, 100);
    assert.ok((r.summary.drainMs ?? -1) >= 0 && (r.summary.drainMs ?? 0) < 500, `drain ${r.summary.drainMs}`);
    const schedule = r.timeline.filter((s) => s.phase === 'schedule');
    const drain = r.timeline.filter((s) => s.phase === 'drain');
    assert.deepEqual(
      schedule.map((s) => [s.second, s.target, s.started]),
      [
        [0, 100, 100],
        [1, 100, 100],
        [2, 100, 100],
      ],
    );
    assert.ok(drain.length <= 1, `one drain second at most: ${JSON.stringify(drain)}`);
    for (const s of drain) {
      assert.equal(s.target, 0);
      assert.equal(s.started, 0);
      assert.ok(s.completed > 0, 'a drain second exists only when something finished in it');
    }
    assert.equal(r.timeline.length, 3 + drain.length);
    assert.deepEqual(
      seconds.map((s) => s.phase),
      r.timeline.map((s) => s.phase),
    );
  } finally {
    await server.close();
  }
});

test('a server that answers at once leaves no drain second, and the progress line shows no ghost', async () => {
  const server = await startServer();
  try {
    const r = await runLoad({ target: `${server.url}/`, rate: 'constant:50', durationMs: 2000 });
    assert.equal(
      r.timeline.length,
      2,
      JSON.stringify(r.timeline.map((s) => [s.second, s.phase, s.completed])),
    );
    assert.equal(r.summary.achievedRate, 50);
    const tty = await runCli(['load', `${server.url}/`, '--rate', 'constant:50', '--duration', '2s'], {
      tty: true,
    });
    assert.equal(tty.code, 0, tty.err);
    const lines = tty.out.split('\r\u001b[2K').filter((s) => s.startsWith('  '));
    assert.deepEqual(
      lines.map((l) => /^ {2}(\d+)s {2}rate (\d+)\/s/.exec(l)?.[1]),
      ['1', '2'],
      lines.join('\n'),
    );
    assert.match(tty.out, /Requests\/sec:\t50\.0 \(target 50\.0\)/);
    assert.match(tty.out, /Total:\t2\.00s/);
  } finally {
    await server.close();
  }
});

test('the progress line labels drain seconds as the drain, without a rate', async () => {
  // Responses take 1.5 s: the 1 s schedule is followed by a drain with completions in it.
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 1500));
  try {
    const tty = await runCli(['load', `${server.url}/`, '--rate', 'constant:10', '--duration', '1s'], {
      tty: true,
    });
    assert.equal(tty.code, 0, tty.err);
    const lines = tty.out.split('\r\u001b[2K').filter((s) => s.startsWith('  '));
    assert.match(lines[0] ?? '', /^ {2}1s {2}rate 10\/s/);
    assert.ok(lines.slice(1).length >= 1, lines.join('\n'));
    for (const l of lines.slice(1)) assert.match(l, /^ {2}drain \+\d+s {2}completed \d+/);
    assert.match(tty.out, /Total:\t1\.00s \(\+ \d\.\d\ds drain\)/);
  } finally {
    await server.close();
  }
});
