/**
 * Start-up and stop: PGlite when no DATABASE_URL is set (and the log says so), a graceful stop
 * that works the backlog off before it exits, and configuration refused in one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfig } from '../../config/mod.js';
import { isPeaklabError } from '../../shared/errors.js';
import { capturingLogger } from '../../testing/logger.js';
import { needService } from '../../testing/services.js';
import { TICKETS_RULES, TICKETS_SPEC } from './config.js';
import { startTickets } from './service.js';
import { getJson, postTicket, startTestTickets, storedCounts, ticketBackends } from './testing/harness.js';
import { SEED_TICKET } from './testing/summary.js';

const gate = await needService('postgres');

test('embedded: without DATABASE_URL the tickets go to PGlite, and the log says so', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'tickets-pglite-')), 'db');
  const lines: Array<Record<string, unknown>> = [];
  const cfg = readConfig(TICKETS_SPEC, { port: '0', dataDir }, {}, TICKETS_RULES);
  const svc = await startTickets(cfg, capturingLogger(lines));
  try {
    const backends = lines.find((l) => l.event === 'backends');
    assert.match(String(backends?.store), /embedded PGlite/);
    const ack = await postTicket(svc.url, SEED_TICKET);
    assert.equal(ack.status, 202);
    let status = '';
    for (let i = 0; i < 100 && status !== 'treated'; i++) {
      status = String((await getJson(svc.url, `/tickets/${ack.json.id}`)).json.status);
      if (status !== 'treated') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 'treated');
  } finally {
    assert.equal((await svc.close()).clean, true);
  }
});

test('stop: a graceful stop treats the backlog before it exits', { skip: gate.skip }, async () => {
  const backends = ticketBackends('tk_stop');
  // One worker, one ticket per claim: a backlog builds up behind the acknowledgements.
  const svc = await startTestTickets(backends, { workers: '1', claimBatch: '1' });
  try {
    const acks = await Promise.all(Array.from({ length: 150 }, () => postTicket(svc.url, SEED_TICKET)));
    assert.ok(acks.every((a) => a.status === 202));
  } finally {
    const report = await svc.close();
    assert.equal(report.clean, true, JSON.stringify(report));
  }
  assert.deepEqual(await storedCounts(backends.schema), { rows: 150, received: 0, treated: 150, error: 0 });
  await backends.cleanup();
});

test('config: bad values are refused together, in one line', () => {
  assert.throws(
    () =>
      readConfig(
        TICKETS_SPEC,
        { ack: 'later', dbSchema: 'Mixed', workers: '0' },
        { DATABASE_URL: 'postgres://127.0.0.1/x' },
        TICKETS_RULES,
      ),
    (err) =>
      isPeaklabError(err, 'PL_CONFIG_INVALID') && /--ack/.test(err.message) && /--workers/.test(err.message),
  );
  assert.throws(
    () => readConfig(TICKETS_SPEC, { dbSchema: 'Mixed' }, {}, TICKETS_RULES),
    (err) => isPeaklabError(err, 'PL_CONFIG_INVALID') && /lowercase/.test(err.message),
  );
});

test('config: a blank --secret means no secret, not an empty HMAC key', () => {
  const cfg = readConfig(TICKETS_SPEC, { port: '0', secret: ' ' }, {}, TICKETS_RULES);
  // optionalStr reads a blank value as unset: no secret rather than an empty HMAC key.
  assert.equal(cfg.secret, undefined);
});
