import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TEST_ENV } from '../testing/env.js';
import { freePort } from '../testing/tools.js';
import { DEPLOY_DIR } from './artifacts.testing.js';

/**
 * deploy/nats/nats-server.conf, checked by a real nats-server: it accepts the file as shipped
 * (`-t`), and a server started with it (on free ports, with a temporary store) runs JetStream
 * with every write fsynced (`sync_always` in /varz) and serves monitoring.
 *
 * `sync_interval` exists from nats-server 2.10 on; Debian bookworm's /usr/sbin/nats-server is 2.9
 * and refuses it. .ci/install-nats-server-2.10.sh puts Debian trixie's 2.10 in /opt.
 */

const CANDIDATES = ['/usr/sbin/nats-server', '/opt/nats-server-2.10/nats-server'];
const CONFIG = `${DEPLOY_DIR}nats/nats-server.conf`;

function knowsSyncInterval(path: string): boolean {
  if (!existsSync(path)) return false;
  const m = /v(\d+)\.(\d+)\./.exec(execFileSync(path, ['--version'], { encoding: 'utf8' }));
  const [major, minor] = [Number(m?.[1]), Number(m?.[2])];
  return major > 2 || (major === 2 && minor >= 10);
}

const server = CANDIDATES.find(knowsSyncInterval);
const why = 'no nats-server 2.10 or later (bash .ci/install-nats-server-2.10.sh installs one)';
if (server === undefined && TEST_ENV.ci) throw new Error(`${why}, and CI requires it`);
const skip = server === undefined ? `${why} (skipped outside CI)` : false;

let scratch: string | undefined;
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('nats-server accepts the shipped config as it is (-t)', { skip }, () => {
  const check = spawnSync(server as string, ['-t', '-c', CONFIG], { encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
});

test('nats-server -t refuses an unknown field (the check above can fail)', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peaklab-nats-conf-'));
  try {
    const bad = (await readFile(CONFIG, 'utf8')).replace('sync_interval: always', 'sync_intervall: always');
    await writeFile(join(dir, 'bad.conf'), bad);
    const check = spawnSync(server as string, ['-t', '-c', join(dir, 'bad.conf')], { encoding: 'utf8' });
    assert.notEqual(check.status, 0);
    assert.match(`${check.stdout}${check.stderr}`, /sync_intervall/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a server on the shipped config runs JetStream with every write fsynced, monitoring up', {
  skip,
}, async () => {
  scratch = await mkdtemp(join(tmpdir(), 'peaklab-nats-'));
  const [client, monitoring] = [await freePort(), await freePort()];
  // The shipped file with its addresses and store directory pointed at this test's: each line
  // replaced is asserted to exist, so the rest of the file runs as shipped.
  let conf = await readFile(CONFIG, 'utf8');
  for (const [from, to] of [
    [/^listen: .*$/m, `listen: 127.0.0.1:${client}`],
    [/^http: .*$/m, `http: 127.0.0.1:${monitoring}`],
    [/^(\s*)store_dir: .*$/m, `$1store_dir: ${JSON.stringify(join(scratch, 'store'))}`],
  ] as const) {
    assert.match(conf, from, `the shipped config has ${from}`);
    conf = conf.replace(from, to);
  }
  await writeFile(join(scratch, 'nats.conf'), conf);
  const child = spawn(server as string, ['-c', join(scratch, 'nats.conf')], { stdio: 'ignore' });
  try {
    const base = `http://127.0.0.1:${monitoring}`;
    let healthy = false;
    for (let i = 0; i < 100 && !healthy; i++) {
      const res = await fetch(`${base}/healthz?js-enabled-only=true`).catch(() => null);
      healthy = res?.ok === true;
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(healthy, 'JetStream is enabled and healthy');
    const varz = (await (await fetch(`${base}/varz`)).json()) as {
      server_name: string;
      port: number;
      jetstream: { config: { sync_always?: boolean; store_dir: string } };
    };
    assert.equal(varz.jetstream.config.sync_always, true, 'sync_interval: always is in force');
    assert.equal(varz.jetstream.config.store_dir, join(scratch, 'store', 'jetstream'));
    assert.equal(varz.port, client);
    assert.equal(varz.server_name, 'peaklab-nats');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
