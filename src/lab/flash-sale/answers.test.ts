import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latency } from '../fixtures.testing.js';
import { answersOf } from './analysis.js';
import type { FlashSaleResult } from './types.js';

test('flash-sale answer counts flows and distinct buyers separately (1000 purchases by 428 users)', () => {
  const partial = {
    settings: { items: 1000, userLimit: 5 },
    sale: { id: 's', soldOutAfterS: 4 },
    flows: { summary: { started: 2600 }, latency: latency(20, 90, 120) },
    steps: [{ name: 'purchase', status: { '200': 1000 }, started: 1000, latency: latency(5, 9, 12) }],
    checkoutsAnswered: 2600,
    checkoutsUnanswered: 0,
    audit: { notOversold: true },
    auditCounts: { sold: 1000, buyers: 428, maxPerUser: 5, checkouts: 2600, checkoutsByResult: {} },
  } as unknown as Omit<FlashSaleResult, 'answers'>;
  const bought = answersOf(partial).find((a) => /bought/.test(a.question));
  assert.ok(bought);
  assert.match(bought.answer, /1000 of 2600 shopper flows ended in a purchase/);
  assert.match(bought.answer, /428 distinct users/);
  assert.doesNotMatch(bought.answer, /1000 of 2600 shoppers/);
});
