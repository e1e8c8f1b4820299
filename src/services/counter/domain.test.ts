import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterError, type CounterErrorCode } from './errors.js';
import { MemoryStore } from './memory-store.js';
import type { Mode } from './ports.js';
import { createIncrementer } from './strategy.js';
import { INT64_MAX } from './total.js';

const OPTS = { capacity: 10_000, batchMax: 1024 };

/** A memory store that counts its reads: how many round trips the mode made. */
class CountingStore extends MemoryStore {
  reads = 0;
  override read(): Promise<bigint> {
    this.reads++;
    return super.read();
  }
}

function codeOf(err: unknown): CounterErrorCode | undefined {
  return err instanceof CounterError ? err.code : undefined;
}

async function settle(ps: Array<Promise<bigint>>): Promise<{ totals: bigint[]; codes: CounterErrorCode[] }> {
  const totals: bigint[] = [];
  const codes: CounterErrorCode[] = [];
  for (const r of await Promise.allSettled(ps)) {
    if (r.status === 'fulfilled') totals.push(r.value);
    else codes.push(codeOf(r.reason) ?? ('?' as CounterErrorCode));
  }
  return { totals, codes };
}

for (const mode of ['mutex', 'inputq', 'atomic'] as const) {
  test(`${mode}: 2,000 concurrent increments across an I/O wait give exactly 1..2000`, async () => {
    const store = new CountingStore({ ioUs: 50 });
    const inc = createIncrementer(mode, store, OPTS);
    const { totals, codes } = await settle(Array.from({ length: 2000 }, () => inc.increment(1)));
    assert.deepEqual(codes, []);
    assert.equal(store.peek(), 2000n);
    assert.deepEqual(
      [...totals].sort((a, b) => (a < b ? -1 : 1)),
      Array.from({ length: 2000 }, (_, i) => BigInt(i + 1)),
    );
    if (mode === 'mutex') assert.equal(store.reads, 2000, 'mutex reads once per increment');
    // The owner batches whatever queued up while its last round trip was out.
    if (mode === 'inputq')
      assert.ok(store.reads < 100, `inputq made ${store.reads} reads for 2000 increments`);
    if (mode === 'atomic') assert.equal(store.reads, 0);
    assert.deepEqual(await inc.stop(1000), { drained: 0, dropped: 0 });
  });
}

test('unsafe: the same load loses updates (the point of the mode), and each reply is what it wrote', async () => {
  const store = new MemoryStore({ ioUs: 50 });
  const inc = createIncrementer('unsafe', store, OPTS);
  const { totals, codes } = await settle(Array.from({ length: 2000 }, () => inc.increment(1)));
  assert.deepEqual(codes, []);
  assert.ok(store.peek() < 2000n, `unsafe kept all ${store.peek()} updates: the race did not happen`);
  assert.ok(new Set(totals).size < 2000, 'several callers must have been told the same N');
});

for (const mode of ['mutex', 'inputq', 'atomic', 'unsafe'] as const) {
  test(`${mode}: a negative value or a non-integer is refused before anything happens`, async () => {
    const store = new MemoryStore({ ioUs: 0, initial: 5n });
    const inc = createIncrementer(mode, store, OPTS);
    await assert.rejects(inc.increment(-1), (e: unknown) => codeOf(e) === 'NEGATIVE_VALUE');
    await assert.rejects(inc.increment(-1), { message: 'Value cannot be negative' });
    await assert.rejects(inc.increment(1.5), (e: unknown) => codeOf(e) === 'INVALID_VALUE');
    assert.equal(await inc.increment(0), 5n);
    assert.equal(store.peek(), 5n);
  });

  test(`${mode}: overflowing a signed 64-bit total is OUT_OF_RANGE and changes nothing`, async () => {
    const store = new MemoryStore({ ioUs: 0, initial: INT64_MAX - 2n });
    const inc = createIncrementer(mode, store, OPTS);
    await assert.rejects(inc.increment(3), (e: unknown) => codeOf(e) === 'OUT_OF_RANGE');
    assert.equal(store.peek(), INT64_MAX - 2n);
    assert.equal(await inc.increment(2), INT64_MAX);
    await assert.rejects(inc.increment(1), (e: unknown) => codeOf(e) === 'OUT_OF_RANGE');
    assert.equal(store.peek(), INT64_MAX);
  });
}

test('inputq: in one batch, the increment that would overflow fails alone; the others apply', async () => {
  const store = new MemoryStore({ ioUs: 100, initial: INT64_MAX - 10n });
  const inc = createIncrementer('inputq', store, OPTS);
  const results = await Promise.allSettled([
    inc.increment(4),
    inc.increment(100),
    inc.increment(6),
    inc.increment(1),
  ]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : codeOf(r.reason))),
    [INT64_MAX - 6n, 'OUT_OF_RANGE', INT64_MAX, 'OUT_OF_RANGE'],
  );
  assert.equal(store.peek(), INT64_MAX);
});

for (const mode of ['mutex', 'inputq', 'atomic'] as const) {
  test(`${mode}: past its capacity an increment is OVERLOADED at once, and nothing is lost`, async () => {
    const store = new MemoryStore({ ioUs: 2000 });
    const inc = createIncrementer(mode, store, { capacity: 50, batchMax: 1 });
    // All 80 arrive in one tick: the 51st finds 50 waiting (atomic's are in flight for at least a
    // microtask; the inputq owner has not yet woken to take any).
    const { totals, codes } = await settle(Array.from({ length: 80 }, () => inc.increment(1)));
    assert.deepEqual(
      codes,
      Array.from({ length: 30 }, () => 'OVERLOADED'),
    );
    assert.equal(totals.length, 50);
    assert.equal(store.peek(), 50n);
  });
}

test('inputq: a graceful stop answers every queued increment, then refuses new ones', async () => {
  const store = new MemoryStore({ ioUs: 1000 });
  const inc = createIncrementer('inputq', store, { capacity: 1000, batchMax: 10 });
  const calls = Array.from({ length: 100 }, () => inc.increment(1));
  assert.equal(inc.pending(), 100);
  const settled = settle(calls);
  const report = await inc.stop(10_000);
  const { totals, codes } = await settled;
  assert.deepEqual(codes, []);
  assert.equal(totals.length, 100);
  assert.deepEqual(report, { drained: 100, dropped: 0 });
  await assert.rejects(inc.increment(1), (e: unknown) => codeOf(e) === 'STOPPING');
  assert.equal(store.peek(), 100n);
});

test('inputq: past the stop deadline the queued increments are DROPPED, counted, and never applied', async () => {
  const store = new MemoryStore({ ioUs: 20_000 });
  const inc = createIncrementer('inputq', store, { capacity: 1000, batchMax: 5 });
  const calls = Array.from({ length: 100 }, () => inc.increment(1));
  const settled = settle(calls);
  const report = await inc.stop(50);
  const { totals, codes } = await settled;
  assert.ok(report.dropped > 0, 'a 50 ms deadline cannot drain 20 batches of 20 ms');
  assert.equal(codes.filter((c) => c === 'DROPPED').length, report.dropped);
  assert.equal(report.drained + report.dropped, 100);
  assert.equal(totals.length, report.drained);
  // Every answered increment is in the store; no dropped one is.
  assert.equal(store.peek(), BigInt(totals.length));
});

test('mutex: past the stop deadline the waiters are DROPPED and counted; the holder finishes', async () => {
  const store = new MemoryStore({ ioUs: 20_000 });
  const inc = createIncrementer('mutex', store, OPTS);
  const calls = Array.from({ length: 20 }, () => inc.increment(1));
  const settled = settle(calls);
  const report = await inc.stop(50);
  const { totals, codes } = await settled;
  assert.ok(report.dropped > 0);
  assert.equal(codes.filter((c) => c === 'DROPPED').length, report.dropped);
  assert.equal(report.drained + report.dropped, 20);
  assert.equal(store.peek(), BigInt(totals.length));
  await assert.rejects(inc.increment(1), (e: unknown) => codeOf(e) === 'STOPPING');
});

test('every mode: a stop with nothing pending is immediate and idempotent', async () => {
  for (const mode of ['mutex', 'inputq', 'atomic', 'unsafe'] satisfies Mode[]) {
    const inc = createIncrementer(mode, new MemoryStore({ ioUs: 0 }), OPTS);
    await inc.increment(1);
    const first = inc.stop(1000);
    assert.equal(inc.stop(1000), first);
    assert.deepEqual(await first, { drained: 0, dropped: 0 });
  }
});
