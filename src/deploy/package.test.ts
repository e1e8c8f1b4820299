import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { test } from 'node:test';
import { REPO_DIR } from './artifacts.testing.js';

/**
 * What `npm pack` ships (package.json `files`): the CLI and its compiled code, docs/, deploy/,
 * README and LICENSE; no compiled tests or test helpers, no source maps. Every relative import of
 * a shipped module resolves to a shipped file, so leaving the tests out broke nothing.
 */

interface PackResult {
  files: Array<{ path: string }>;
}

async function packedFiles(): Promise<Set<string>> {
  // --ignore-scripts: `prepare` would rebuild; the tests run on a fresh build already.
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      'npm',
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: REPO_DIR, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
  });
  const [result] = JSON.parse(stdout) as PackResult[];
  return new Set((result as PackResult).files.map((f) => f.path));
}

const files = await packedFiles();

test('the package ships the CLI, docs/, deploy/, README and LICENSE', async () => {
  const docs = (await readdir(`${REPO_DIR}docs`)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  assert.ok(docs.length >= 3, 'docs/ has pages');
  for (const want of [
    'package.json',
    'README.md',
    'LICENSE',
    'bin/peaklab.js',
    'dist/src/cli/main.js',
    'deploy/compose.yaml',
    'deploy/nats/nats-server.conf',
    'deploy/schemas/compose-spec.json',
    ...docs,
  ]) {
    assert.ok(files.has(want), `${want} is packed`);
  }
});

test('the package ships no tests, test helpers, sources or source maps', () => {
  const unwanted = [...files].filter(
    (f) =>
      /\.test\.js$|\.testing\.js$|\.map$|\.ts$/.test(f) ||
      /(^|\/)testing\//.test(f) ||
      f.startsWith('dist/src/deploy/') ||
      f.startsWith('dist/bench/') ||
      f.startsWith('src/'),
  );
  assert.deepEqual(unwanted, []);
});

test('every relative import of a packed module is packed too', async () => {
  const missing: string[] = [];
  for (const file of [...files].filter((f) => f.endsWith('.js'))) {
    const text = await readFile(`${REPO_DIR}${file}`, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file), m[1] as string));
      if (!files.has(target)) missing.push(`${file} imports ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('LICENSE is the MIT license that package.json names', async () => {
  const pkg = JSON.parse(await readFile(`${REPO_DIR}package.json`, 'utf8')) as { license: string };
  const license = await readFile(`${REPO_DIR}LICENSE`, 'utf8');
  assert.equal(pkg.license, 'MIT');
  assert.match(license, /^MIT License\n/);
  assert.match(license, /Permission is hereby granted, free of charge/);
});

test('CI never lets npx fetch a package: it runs the local bin only', async () => {
  const ci = await readFile(`${REPO_DIR}.ci/run`, 'utf8');
  const npx = ci.split('\n').filter((l) => /^\s*npx\s/.test(l));
  assert.ok(npx.length > 0, '.ci/run checks the README command through npx');
  for (const line of npx) assert.match(line, /^\s*npx --no-install /, line);
});
