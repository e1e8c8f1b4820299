import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { runCli } from './testing/cli.js';
import type { LoadResult } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'peaklab-body-'));

/** A server that keeps every request's raw body bytes, method and URL. */
async function bytesServer() {
  const seen: { method: string; url: string; body: Buffer; length: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks),
        length: req.headers['content-length'],
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('--body @file is sent byte for byte: binary, invalid UTF-8 and a literal {{ included', async () => {
  // 12 bytes: NUL, 0xff/0xfe (never UTF-8), a lone continuation byte, "{{", "}}", a bad 2-byte
  // sequence and CR LF. Read as UTF-8 they would go out as 20 bytes with U+FFFD in them.
  const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7b, 0x7b, 0x7d, 0x7d, 0xc3, 0x28, 0x0d, 0x0a]);
  const file = join(dir, 'blob.bin');
  writeFileSync(file, bytes);
  const server = await bytesServer();
  try {
    const out = join(dir, 'blob.json');
    const r = await runCli([
      'load',
      `${server.url}/upload`,
      '--rate',
      'constant:20',
      '--duration',
      '250ms',
      '--body',
      `@${file}`,
      '--header',
      'content-type: application/octet-stream',
      '--quiet',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.equal(server.seen.length, 5);
    for (const s of server.seen) {
      assert.equal(s.method, 'POST');
      assert.equal(s.length, '12');
      assert.deepEqual([...s.body], [...bytes]);
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
    assert.equal(result.summary.bytesOut, 5 * 12);
  } finally {
    await server.close();
  }
});

test('templating only where asked: {{"{{"}} sends a literal {{, and --template-body fills a file', async () => {
  const server = await bytesServer();
  const file = join(dir, 'order.json');
  writeFileSync(file, '{"n":{{seq}},"raw":"{{nope}}"}\n');
  try {
    const literal = await runLoad({
      target: `${server.url}/q?x={{"{{"}}seq}}`,
      body: 'a {{"{{"}}seq}} b {{seq}}',
      rate: 'constant:20',
      requests: 2,
    });
    assert.equal(literal.summary.ok, 2);
    const bodies = server.seen.map((s) => s.body.toString('utf8')).sort();
    assert.deepEqual(bodies, ['a {{seq}} b 0', 'a {{seq}} b 1']);
    assert.deepEqual(
      server.seen.map((s) => s.url),
      ['/q?x={{seq}}', '/q?x={{seq}}'],
    );
    server.seen.length = 0;
    // A file is sent as it is, "{{seq}}" and all ...
    const raw = await runLoad({
      target: `${server.url}/`,
      body: `@${file}`,
      rate: 'constant:20',
      requests: 1,
    });
    assert.equal(raw.summary.ok, 1);
    assert.equal(server.seen[0]?.body.toString('utf8'), '{"n":{{seq}},"raw":"{{nope}}"}\n');
    server.seen.length = 0;
    // ... unless templating is asked for; then its tags are filled (and must be valid).
    const filled = await runLoad({
      target: `${server.url}/`,
      body: `@${file}`,
      templateBody: true,
      rate: 'constant:20',
      requests: 1,
    }).catch((e: Error) => e);
    assert.ok(
      filled instanceof Error && /unknown template \{\{nope\}\}/.test(filled.message),
      String(filled),
    );
    writeFileSync(file, '{"n":{{seq}}}');
    const ok = await runLoad({
      target: `${server.url}/`,
      body: `@${file}`,
      templateBody: true,
      rate: 'constant:20',
      requests: 2,
    });
    assert.equal(ok.summary.ok, 2);
    assert.deepEqual(server.seen.map((s) => s.body.toString('utf8')).sort(), ['{"n":0}', '{"n":1}']);
  } finally {
    await server.close();
  }
});
