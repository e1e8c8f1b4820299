import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { needService } from '../../testing/services.js';
import { type BurstResult, readBurstSettings, runTicketsBurst, SCRATCH } from './mod.js';

const gate = await needService('postgres');

test('tickets-burst: a small run writes results.json whose counts agree', {
  skip: gate.skip,
  timeout: 90_000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tickets-burst-'));
  const settings = readBurstSettings(
    { quick: true, peak: '80', step: '1s', drainWait: '10s', corpus: '60', out },
    { DATABASE_URL: gate.url },
    process.cwd(),
    new Date(),
  );
  const lines: string[] = [];
  const { files } = await runTicketsBurst(settings, { PATH: process.env.PATH }, (l) => lines.push(l));
  const r = JSON.parse(readFileSync(files.results, 'utf8')) as BurstResult;
  assert.equal(r.schema, 'peaklab.lab.tickets-burst/v1');
  assert.equal(lines.length, 2, 'one line per mode');
  // The labels match the runs: each mode's result came from the service started with that --ack.
  assert.equal(r.modes['after-parse'].mode, 'after-parse');
  assert.equal(r.modes.durable.mode, 'durable');
  for (const m of [r.modes['after-parse'], r.modes.durable]) {
    for (const [name, holds] of Object.entries(m.identities)) assert.ok(holds, `${m.mode}: ${name}`);
    const sum = (f: (s: (typeof m.seconds)[number]) => number) => m.seconds.reduce((n, s) => n + f(s), 0);
    // 80/s for one second (the schedule's edges may add one): 202s = rows = stored = treated.
    assert.ok(m.http.started >= 80 && m.http.started <= 81, `${m.mode}: ${m.http.started} sent`);
    assert.equal(
      sum((s) => s.acknowledged),
      m.http.acknowledged,
    );
    assert.equal(m.http.acknowledged, m.db.rows);
    assert.equal(
      sum((s) => s.stored),
      m.db.rows,
    );
    assert.equal(
      sum((s) => s.treated),
      m.db.treated + m.db.error,
    );
    assert.equal(m.seconds.at(-1)?.backlog, 0, 'drained');
    assert.equal(m.exitCode, 0, 'a clean stop');
    assert.ok(Object.keys(m.warnings).length > 0, 'the messy tickets left warnings');
  }
  // The same tickets in both modes: the same parse, whenever it ran.
  assert.deepEqual(r.modes['after-parse'].db, r.modes.durable.db);
  assert.deepEqual(r.modes['after-parse'].warnings, r.modes.durable.warnings);
  assert.equal(r.answers.length, 3);
  const html = readFileSync(files.report, 'utf8');
  for (const a of r.answers) assert.ok(html.includes(a.question.replaceAll('"', '&quot;')), a.question);
  assert.ok(html.includes('chart-flow-durable'));
  // Without --keep the scratch data is gone; the report and results stay.
  for (const f of SCRATCH) assert.equal(existsSync(join(out, f)), false, `${f} left behind`);
  assert.ok(existsSync(files.report));
});
