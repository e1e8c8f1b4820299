import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './testing/cli.js';
import { freePort, startServer } from './testing/server.js';

/** Bad input ends in exit 2 with exactly one line on stderr naming the code, and no stack trace. */
function assertOneLineError(r: { code: number; err: string }, code: string, mention: string): void {
  assert.equal(r.code, 2, r.err);
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.err}`);
  assert.match(lines[0] as string, new RegExp(`^peaklab: .*\\(${code}\\)$`));
  assert.ok((lines[0] as string).includes(mention), lines[0]);
  assert.doesNotMatch(r.err, /\n\s+at /);
}

test('bad input: one line on stderr, exit 2, never a stack trace', async () => {
  const server = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-cli-'));
  const proto = join(dir, 'svc.proto');
  writeFileSync(
    proto,
    'syntax = "proto3"; package t; service S { rpc M (R) returns (R); } message R { int32 v = 1; }',
  );
  try {
    const url = `${server.url}/`;
    const cases: [string[], string, string][] = [
      [['load', url, '--rate', 'wobble:5', '--duration', '1s'], 'PL_PROFILE_INVALID', 'unknown profile'],
      [['load', url, '--rate', 'constant:-5', '--duration', '1s'], 'PL_PROFILE_INVALID', 'negative'],
      [['load', url, '--vus', '-3', '--duration', '1s'], 'PL_CONFIG_INVALID', '--vus'],
      [['load', url, '--rate', 'constant:5', '--duration', 'soon'], 'PL_CONFIG_INVALID', '--duration'],
      [['load', url, '--rate', 'constant:5', '--threshold', 'p99<<3'], 'PL_THRESHOLD_INVALID', 'p99<<3'],
      [
        ['load', url, '--rate', 'constant:5', '--threshold', 'speed>3'],
        'PL_THRESHOLD_INVALID',
        'unknown metric',
      ],
      [['load', 'ftp://127.0.0.1/x', '--rate', 'constant:5'], 'PL_TARGET_INVALID', 'ftp://'],
      [['load', url, '--rate', 'constant:5', '--vus', '2'], 'PL_USAGE', 'not both'],
      [['load', url, '--rate', 'constant:5', '--header', 'nocolon'], 'PL_USAGE', '--header'],
      [
        ['load', url, '--rate', 'constant:5', '--body', '@/nonexistent/body.json'],
        'PL_FILE_INVALID',
        'body file',
      ],
      [
        [
          'load',
          `grpc://127.0.0.1:${server.port}`,
          '--rate',
          'constant:5',
          '--proto',
          join(dir, 'missing.proto'),
          '--call',
          't.S/M',
        ],
        'PL_PROTO_INVALID',
        'missing.proto',
      ],
      [
        [
          'load',
          `grpc://127.0.0.1:${server.port}`,
          '--rate',
          'constant:5',
          '--proto',
          proto,
          '--call',
          't.S/Nope',
        ],
        'PL_PROTO_INVALID',
        'no method Nope',
      ],
      [['report', join(dir, 'nothing.json')], 'PL_FILE_INVALID', 'nothing.json'],
      // Commander's own errors, in the same one-line format.
      [['load', url, '--rate', 'constant:5', '--bogus'], 'PL_USAGE', "unknown option '--bogus'"],
      [['load', '--rate', 'constant:5'], 'PL_USAGE', "missing required argument 'url'"],
      [['load', url, '--rate'], 'PL_USAGE', "option '--rate <profile>' argument missing"],
      [['load', url, 'extra', '--rate', 'constant:5'], 'PL_USAGE', 'too many arguments'],
      [['frobnicate'], 'PL_USAGE', "unknown command 'frobnicate'"],
      [['compare', proto, proto, '--metrics', 'p50,speed'], 'PL_USAGE', '--metrics'],
      // Combinations where a flag would be silently ignored.
      [['load', url, '--rate', 'constant:5', '--think', '100ms'], 'PL_USAGE', '--think'],
      [['load', url, '--rate', 'constant:5', '--proto', proto, '--call', 't.S/M'], 'PL_USAGE', 'grpc://'],
      [['load', url, '--rate', 'constant:5', '--data', '{"v":1}'], 'PL_USAGE', '--data'],
      [
        [
          'load',
          `grpc://127.0.0.1:${server.port}`,
          '--rate',
          'constant:5',
          '--proto',
          proto,
          '--call',
          't.S/M',
          '--body',
          'x',
        ],
        'PL_USAGE',
        '--body',
      ],
      [
        ['load', url, '--rate', 'constant:5', '--threads', '3', '--max-inflight', '2'],
        'PL_USAGE',
        '--max-inflight',
      ],
      [['compare', proto, proto], 'PL_RESULT_INVALID', 'not JSON'],
    ];
    for (const [args, code, mention] of cases) {
      assertOneLineError(await runCli(args), code, mention);
    }
    assert.equal(server.received, 0, 'no bad invocation sent any load');
  } finally {
    await server.close();
  }
});

test('--help and --version print to stdout and exit 0', async () => {
  const help = await runCli(['load', '--help']);
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /Usage: peaklab load \[options\] <url>/);
  assert.match(help.out, /--max-inflight <n>[\s\S]*default 100000\)/);
  assert.equal(help.err, '');
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.out, '0.1.0\n');
});

test('an unreachable URL is a one-line error, exit 2, before any load', async () => {
  const port = await freePort();
  const started = Date.now();
  const r = await runCli(['load', `http://127.0.0.1:${port}/`, '--rate', 'constant:50', '--duration', '5s']);
  assertOneLineError(r, 'PL_TARGET_UNREACHABLE', `127.0.0.1:${port}`);
  assert.ok(Date.now() - started < 3000, 'it fails fast instead of running the 5 s');
});
