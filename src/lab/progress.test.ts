import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createProgress } from './progress.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return { stream, text: () => text };
}

const state = (elapsedS: number) => ({
  phase: 'shed: load',
  elapsedS,
  totalS: 40,
  rate: 95,
  status: { '500': 44, '200': 50 },
});

test('not a TTY: a plain line every few seconds, with phase, elapsed/total, rate and statuses', () => {
  const out = capture(false);
  const p = createProgress(out.stream, 5);
  for (let s = 0; s <= 12; s++) p.update(state(s));
  const lines = out.text().trim().split('\n');
  assert.equal(lines.length, 3, out.text());
  assert.equal(lines[0], '[shed: load] 0s/40s  rate 95/s  200:50 500:44');
  assert.ok(
    !out.text().includes('\r') && !out.text().includes('\u001b'),
    'no terminal control codes in a log',
  );
});

test('on a TTY: one live line, rewritten in place, and notes that stay', () => {
  const out = capture(true);
  const p = createProgress(out.stream);
  p.update(state(1));
  p.update(state(2));
  p.note('shed: done');
  p.done();
  assert.equal(out.text().split('\r\x1b[2K').length, 4);
  assert.match(out.text(), /shed: done\n$/);
});
