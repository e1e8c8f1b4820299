import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { TallyCounter, TallyGauge } from './tally.js';

test('a tallied counter shows its exact total at every read, and keeps adding after one', async () => {
  const registry = new Registry();
  const tally = new TallyCounter();
  const counter: Counter = new Counter({
    name: 'tally_test_total',
    help: 'h',
    registers: [registry],
    collect() {
      tally.flushInto(counter);
    },
  });
  for (let i = 0; i < 5; i++) tally.inc();
  tally.inc(2.5);
  assert.match(await registry.metrics(), /^tally_test_total 7\.5$/m);
  tally.inc();
  assert.equal((await registry.getMetricsAsJSON())[0]?.values[0]?.value, 8.5);
  assert.match(await registry.metrics(), /^tally_test_total 8\.5$/m);
});

test('a tallied counter refuses what prom-client refuses: negative, NaN, infinite', () => {
  const tally = new TallyCounter();
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY])
    assert.throws(() => tally.inc(bad), TypeError);
});

test('a tallied gauge shows its level at the read', async () => {
  const registry = new Registry();
  const level = new TallyGauge();
  const gauge: Gauge = new Gauge({
    name: 'tally_test_level',
    help: 'h',
    registers: [registry],
    collect() {
      level.copyInto(gauge);
    },
  });
  level.inc();
  level.inc(3);
  level.dec();
  assert.match(await registry.metrics(), /^tally_test_level 3$/m);
  level.set(0);
  assert.match(await registry.metrics(), /^tally_test_level 0$/m);
});
