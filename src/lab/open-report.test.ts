import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openInBrowser, openReport } from './open-report.js';

test('--open runs xdg-open with the report when it is on PATH', async () => {
  const bin = await mkdtemp(join(tmpdir(), 'peaklab-open-'));
  try {
    const seen = join(bin, 'seen.txt');
    await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`);
    await chmod(join(bin, 'xdg-open'), 0o755);
    assert.equal(await openInBrowser('/tmp/x/report.html', bin), true);
    for (let i = 0; i < 50; i++) {
      const got = await readFile(seen, 'utf8').catch(() => '');
      if (got) return assert.equal(got, '/tmp/x/report.html');
      await sleep(50);
    }
    assert.fail('xdg-open was not run');
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

test('openInBrowser returns false when no opener exists', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'peaklab-open-'));
  try {
    assert.equal(await openInBrowser('/tmp/x/report.html', empty), false);
    assert.equal(await openInBrowser('/tmp/x/report.html', undefined), false);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('--open with no opener says so in one line, naming the report', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'peaklab-open-'));
  try {
    const lines: string[] = [];
    const err = { write: (s: string) => lines.push(s) > 0 };
    assert.equal(await openReport('/tmp/x/report.html', empty, err), false);
    assert.deepEqual(lines, [
      '--open: no xdg-open or open found on PATH; open /tmp/x/report.html yourself\n',
    ]);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
