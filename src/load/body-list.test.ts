import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isPeaklabError } from '../shared/errors.js';
import { runLoad } from './mod.js';

const dir = mkdtempSync(join(tmpdir(), 'peaklab-bodylist-'));

test('bodyList: request seq sends body seq % n, byte for byte, across threads', async () => {
  const bodies = [Buffer.from('first'), Buffer.from([0, 0xff, 0x0d, 0x0a]), Buffer.alloc(0)];
  const file = join(dir, 'bodies.json');
  writeFileSync(file, JSON.stringify(bodies.map((b) => b.toString('base64'))));
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = Buffer.concat(chunks).toString('hex');
      seen.set(key, (seen.get(key) ?? 0) + 1);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const result = await runLoad({
      target: url,
      method: 'POST',
      bodyList: file,
      vus: 4,
      requests: 30,
      threads: 2,
    });
    assert.equal(result.summary.ok, 30);
    assert.deepEqual([...seen].sort(), bodies.map((b) => [b.toString('hex'), 10] as [string, number]).sort());
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
  writeFileSync(join(dir, 'bad.json'), '{"not":"a list"}');
  await assert.rejects(
    runLoad({ target: 'http://127.0.0.1:9/', bodyList: join(dir, 'bad.json'), requests: 1 }),
    (err) => isPeaklabError(err, 'PL_FILE_INVALID'),
  );
});
