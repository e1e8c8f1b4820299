/**
 * The workers yield to a busy intake (one batch per loop per pause) but never stall, and a drain
 * does not pause. Real Postgres; about a second.
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { NO_SPANS } from '../../../platform/telemetry/otel-tracer.js';
import { silentLogger } from '../../../shared/logger.js';
import { needService } from '../../../testing/services.js';
import { bodyDigest } from '../idempotency.js';
import { testSchema } from '../pg/schema.testing.js';
import { countTickets, receiveTickets } from '../pg/store.js';
import { SEED_TICKET } from '../testing/summary.js';
import { createTicketMeter } from './metrics.js';
import { Treater } from './treater.js';

const gate = await needService('postgres');

test('treater: while the intake is busy, one batch per pause, and the backlog still drains', {
  skip: gate.skip,
}, async () => {
  const db = await testSchema('tickets_treater_yield');
  let treater: Treater | undefined;
  try {
    const body = Buffer.from(SEED_TICKET);
    const tickets = Array.from({ length: 30 }, () => ({
      id: randomUUID(),
      idempotencyKey: null,
      body,
      digest: bodyDigest(body),
    }));
    await receiveTickets(db.pool, db.sql, tickets);
    let busy = true;
    treater = new Treater({
      client: db.pool,
      transaction: db.inTransaction,
      sql: db.sql,
      meter: createTicketMeter(new Registry(), async () => 0),
      logger: silentLogger(),
      tracer: NO_SPANS,
      workers: 1,
      batch: 10,
      intakeBusy: () => busy,
      yieldMs: 400,
    });
    const treated = async () => {
      const c = await countTickets(db.pool, db.sql);
      return c.treated + c.error;
    };
    treater.start();
    const t0 = Date.now();
    while ((await treated()) === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    // Within the first pause (400 ms after the first batch) no second batch was claimed.
    if (Date.now() - t0 < 400) assert.equal(await treated(), 10, 'one batch, then the pause');
    // Still busy: the loop goes on, one batch per pause, and finishes the backlog.
    while ((await treated()) < 30 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await treated(), 30, 'a busy intake slows the workers but never stalls them');
    busy = false;
    assert.equal(await treater.drain(new AbortController().signal), 0);
  } finally {
    // A failed assertion must not leave the loops running (the test would never end).
    await treater?.drain(AbortSignal.abort());
    await db.close();
  }
});
