import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignedTerms, catalogItem } from './terms.js';

test('sale windows are aligned to the clock: on the UTC hour, or on whole multiples of a shorter interval', () => {
  const hour = { intervalMs: 3_600_000, items: 10, userLimit: 2 };
  const at = Date.UTC(2030, 5, 1, 14, 59, 59, 999);
  assert.deepEqual(alignedTerms(at, hour), {
    id: Date.UTC(2030, 5, 1, 14) / 1000,
    startsAt: Date.UTC(2030, 5, 1, 14),
    endsAt: Date.UTC(2030, 5, 1, 15),
    items: 10,
    userLimit: 2,
  });
  assert.equal(
    alignedTerms(at + 1, hour).startsAt,
    Date.UTC(2030, 5, 1, 15),
    'the next sale starts on the hour',
  );
  const tenSeconds = alignedTerms(Date.UTC(2030, 5, 1, 14, 0, 27, 500), { ...hour, intervalMs: 10_000 });
  assert.equal(new Date(tenSeconds.startsAt).toISOString(), '2030-06-01T14:00:20.000Z');
  assert.equal(tenSeconds.endsAt - tenSeconds.startsAt, 10_000);
});

test('the catalogue: a name and an image per item, the same for the same sale and item, varied otherwise', () => {
  const item = catalogItem(1_900_000_000, 17);
  assert.deepEqual(item, catalogItem(1_900_000_000, 17));
  assert.match(item.name, /^[A-Z][a-z]+ [A-Z][a-z-]+ #17$/);
  assert.equal(item.imageUrl, 'https://picsum.photos/seed/peaklab-1900000000-17/400/400');
  const names = new Set(
    Array.from({ length: 200 }, (_, n) => catalogItem(1_900_000_000, n + 1).name.split(' #')[0]),
  );
  assert.ok(names.size > 100, `names vary (${names.size} distinct of 200)`);
});
