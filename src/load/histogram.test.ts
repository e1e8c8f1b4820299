import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { decode, encode, meanUs, newHistogram, recordMs } from './histogram.js';

test('the fast bucket index equals the library’s for every value the recorder can record', () => {
  for (const digits of [2, 3] as const) {
    const fast = newHistogram(digits);
    const reference = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: digits,
      autoResize: false,
    }) as unknown as { countsArrayIndex(v: number): number };
    const values: number[] = [1, 2, 3, 3_600_000_000];
    for (let k = 1; k < 32; k++) values.push(2 ** k - 1, 2 ** k, 2 ** k + 1);
    for (let i = 0; i < 200_000; i++)
      values.push(1 + Math.floor(Math.random() * 10 ** (1 + Math.random() * 8.5)));
    for (const v of values) {
      if (v > 3_600_000_000) continue;
      assert.equal(fast.countsArrayIndex(v), reference.countsArrayIndex(v), `${digits} digits, value ${v}`);
    }
  }
});

test('encoded histograms are the standard V2 format, both ways', () => {
  const h = newHistogram();
  for (const ms of [0.001, 0.5, 1, 12.3, 250, 3_600_000]) recordMs(h, ms);
  const text = encode(h);
  const viaLibrary = hdr.decodeFromCompressedBase64(text, 32, false, 3_600_000_000);
  assert.equal(viaLibrary.totalCount, 6);
  for (const p of [1, 50, 99, 100])
    assert.equal(viaLibrary.getValueAtPercentile(p), h.getValueAtPercentile(p), `p${p}`);
  const back = decode(hdr.encodeIntoCompressedBase64(viaLibrary));
  assert.equal(back.totalCount, 6);
  for (const p of [1, 50, 99, 100])
    assert.equal(back.getValueAtPercentile(p), h.getValueAtPercentile(p), `p${p}`);
});

test('meanUs is the library’s mean, computed in one pass', () => {
  for (let round = 0; round < 20; round++) {
    const h = newHistogram(round % 2 === 0 ? 3 : 2);
    const n = Math.floor(Math.random() * 5000);
    for (let i = 0; i < n; i++) recordMs(h, 10 ** (Math.random() * 7 - 3));
    assert.equal(meanUs(h), h.mean, `round ${round}, ${n} values`);
  }
});
