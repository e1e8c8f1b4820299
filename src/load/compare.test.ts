import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './testing/cli.js';
import { startServer } from './testing/server.js';

test('compare flags a 2x slower server and not a rerun of the same one', async () => {
  let delayMs = 15;
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), delayMs));
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-compare-'));
  const run = async (name: string) => {
    const r = await runCli([
      'load',
      `${server.url}/`,
      '--rate',
      'constant:50',
      '--duration',
      '2s',
      '--quiet',
      '--out',
      join(dir, name),
    ]);
    assert.equal(r.code, 0, r.err);
    return join(dir, name);
  };
  try {
    const base1 = await run('base1.json');
    const base2 = await run('base2.json');
    const rerun = await run('rerun.json');
    delayMs = 30;
    const slow = await run('slow.json');

    const same = await runCli(['compare', base1, base2, rerun, '--max-regression', '25%']);
    assert.equal(same.code, 0, `${same.out}${same.err}`);
    assert.match(same.out, /Compared with 2 baseline runs/);
    assert.match(same.out, /no regression/);

    const slower = await runCli(['compare', base1, base2, slow, '--max-regression', '25%']);
    assert.equal(slower.code, 1, slower.out);
    assert.match(slower.out, /p50 .* REGRESSION/);
    assert.match(slower.err, /regression in p50.*\(PL_REGRESSION\)/);
  } finally {
    await server.close();
  }
});
