import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnPeaklab } from '../../shared/child-service.js';
import { childEnv } from '../../testing/env.js';
import { main } from '../main.js';

async function run(argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  err.on('data', (c: Buffer) => {
    text += c.toString();
  });
  out.resume();
  const code = await main(['node', 'peaklab', 'dashboard', ...argv], { env: {}, out, err });
  return { code, err: text };
}

test('dashboard: no target, a bad target, a bad window or port: one line, exit 2', async () => {
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(
    none.err,
    /^peaklab: dashboard needs at least one --target URL \(repeatable\) \(PL_USAGE\)\n$/,
  );

  const bad = await run(['--target', 'ftp://h/metrics', '--target', 'http://ok:1']);
  assert.equal(bad.code, 2);
  assert.match(
    bad.err,
    /^peaklab: --target "ftp:\/\/h\/metrics": only http:\/\/ and https:\/\/ .* \(PL_CONFIG_INVALID\)\n$/,
  );

  const flags = await run([
    '--target',
    'http://h:1',
    '--window',
    '5s',
    '--port',
    '70000',
    '--max-series',
    '0',
  ]);
  assert.equal(flags.code, 2);
  for (const part of [
    '--window: "5s" is not between 10s and 1h',
    '--port: must be at most 65535',
    '--max-series: must be at least 1',
  ]) {
    assert.ok(flags.err.includes(part), `names ${part}: ${flags.err}`);
  }
  assert.doesNotMatch(flags.err, /\n\s+at /, 'no stack trace');
});

test('dashboard: a port in use is one line, exit 2', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await run(['--target', 'http://127.0.0.1:1', '--port', String(port), '--log-level', 'silent']);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      new RegExp(`127\\.0\\.0\\.1:${port} is already in use .*\\(PL_CONFIG_INVALID\\)\\n$`),
    );
  } finally {
    blocker.close();
  }
});

test('dashboard: serves the page with a down target, and Ctrl+C closes it cleanly (exit 0)', async () => {
  const child = await spawnPeaklab(['dashboard', '--target', 'down=http://127.0.0.1:1', '--port', '0'], {
    env: childEnv({}),
  });
  try {
    assert.ok(child.url, 'the listening line names the URL');
    const page = await fetch(child.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /peaklab dashboard/);
    const state = await fetch(new URL('state.json', child.url));
    assert.equal(state.status, 200);
    const events = await fetch(new URL('events', child.url));
    const started = Date.now();
    assert.equal(await child.stop('SIGINT'), 0, child.output.join('\n'));
    assert.ok(Date.now() - started < 5000, 'closed within the deadline, though a page stream was open');
    await events.body?.cancel().catch(() => {});
    assert.ok(child.output.some((l) => l.includes('"event":"stopped"')));
  } finally {
    await child.stop('SIGKILL');
  }
});

test('the dashboard command and library load neither fastify nor PGlite', () => {
  const modules = ['../../dashboard/mod.js', './dashboard.js'].map((m) => new URL(m, import.meta.url).href);
  const hook = `export async function resolve(s, c, next) {
    const r = await next(s, c);
    if (/node_modules\\/(fastify|@electric-sql)\\//.test(r.url)) process.stderr.write('LOADED ' + r.url + '\\n');
    return r;
  }`;
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    for (const m of ${JSON.stringify(modules)}) await import(m);
    process.stdout.write('imported\\n');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.stdout, 'imported\n', r.stderr);
  assert.doesNotMatch(r.stderr, /LOADED/);
  // The hook must be able to see a load at all, or the test above could never fail.
  const control = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script.replace(JSON.stringify(modules), JSON.stringify(['fastify']))],
    { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', timeout: 30_000 },
  );
  assert.match(control.stderr, /LOADED .*fastify/);
});
