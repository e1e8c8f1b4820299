import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeExperiment } from './analysis.js';
import { ARRIVALS, SETTINGS, simulate } from './fixtures.testing.js';
import { ROWS, renderLabReport } from './report.js';
import type { Backends, LabResult, ModeRecording } from './types.js';

function result(backends: Backends, queue?: (rec: ModeRecording) => ModeRecording): LabResult {
  const shed = simulate('shed', ARRIVALS, 50, 50).rec;
  const q = simulate('queue', ARRIVALS, 50, 50).rec;
  return analyzeExperiment(SETTINGS, backends, { shed, queue: queue ? queue(q) : q }, '2026-01-23T18:45:01Z');
}

/** The summary table's row for `label`: its shed and queue cells, as text. */
function row(html: string, label: string): [string, string] {
  const esc = label.replace(/[()]/g, '\\$&');
  const m = new RegExp(`<tr><td>${esc}</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>`).exec(html);
  assert.ok(m, `no row "${label}"`);
  return [m[1] as string, m[2] as string];
}

test('the summary table has a row per issue field, with both modes’ values', () => {
  const html = renderLabReport(result({ database: 'pglite', queue: 'in-process' }), SETTINGS);
  assert.deepEqual(row(html, 'requests sent'), ['500', '500']);
  assert.deepEqual(row(html, 'accepted (2xx, as the load generator saw them)'), ['340', '500']);
  assert.deepEqual(row(html, 'acknowledged (2xx, as the service counted them)'), ['340', '500']);
  assert.deepEqual(row(html, 'rejected (5xx)'), ['160', '0']);
  assert.deepEqual(row(html, 'processed (rows with processed_at)'), ['340', '500']);
  assert.deepEqual(row(html, 'rows in the database'), ['340', '500']);
  assert.deepEqual(row(html, 'lost (acknowledged, no row, not queued)'), ['0', '0']);
  assert.deepEqual(row(html, 'still in JetStream after the stop'), [
    'no queue',
    'none: the in-process queue ends with the service',
  ]);
  assert.deepEqual(row(html, 'rejections predicted by the integral'), [
    '159',
    'none: queue mode sheds nothing',
  ]);
  assert.deepEqual(row(html, 'HTTP p99'), ['60.0ms', '6.00ms']);
  assert.deepEqual(row(html, 'peak backlog (orders)'), ['no queue', '160']);
  assert.deepEqual(row(html, 'drain time, last peak → empty'), ['no queue', '5 s']);
  assert.deepEqual(row(html, 'drained before the watch ended'), ['no queue', 'yes']);
  assert.deepEqual(row(html, 'end-to-end p99'), ['20.0ms', '4.08s']);
  assert.deepEqual(row(html, 'work_done_total done'), ['340', '500']);
  for (const [label] of ROWS) row(html, label);
  for (const key of [
    'sent',
    'accepted',
    'rejected',
    'processed',
    'rows',
    'lost',
    'peakBacklog',
    'drainSeconds',
  ]) {
    assert.ok(
      ROWS.some(([, k]) => k === key),
      `the table shows results.json's ${key}`,
    );
  }
});

test('the report names the backends it used', () => {
  const embedded = renderLabReport(result({ database: 'pglite', queue: 'in-process' }), SETTINGS);
  assert.match(embedded, /Backends: the in-process queue \(memory only\) and embedded PGlite\./);
  assert.match(embedded, /in-process queue, pglite database/, 'in the subtitle too');
  const real = renderLabReport(result({ database: 'postgres', queue: 'jetstream' }), SETTINGS);
  assert.match(real, /Backends: NATS JetStream \(file storage\) and Postgres\./);
  assert.doesNotMatch(real, /embedded PGlite\./);
});

test('an undrained backlog is said in words, not left as a blank cell', () => {
  const html = renderLabReport(
    result({ database: 'pglite', queue: 'in-process' }, (rec) => ({
      ...rec,
      backlog: { ...rec.backlog, readings: rec.backlog.readings.slice(0, 11) },
      drained: false,
    })),
    SETTINGS,
  );
  assert.deepEqual(row(html, 'drain time, last peak → empty'), ['no queue', 'not drained']);
  assert.deepEqual(row(html, 'drained before the watch ended'), ['no queue', 'no']);
  assert.deepEqual(row(html, 'backlog at the last reading'), ['no queue', '105']);
  const line = /backlog had NOT drained when the watch ended, ([\d.]+) s after the load: (\d+) orders/.exec(
    html,
  );
  assert.deepEqual([line?.[1], line?.[2]], ['3.5', '105'], 'watched 10 s → 13.5 s; 105 at the last reading');
});
