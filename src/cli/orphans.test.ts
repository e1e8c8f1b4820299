import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PEAKLAB_BIN } from '../shared/child-service.js';
import { childEnv } from '../testing/env.js';

/**
 * No process is left behind: a service whose log pipe is closed still stops on SIGTERM within its
 * deadline, and a parent that dies (SIGKILL: no exit handler runs) takes its services with it.
 * Embedded backends, so no server is needed; ~6 s.
 */

/** `serve orders` on port 0 with an embedded store in a fresh directory; no backend URLs. */
function ordersArgs(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'peaklab-orphans-'));
  return ['serve', 'orders', '--port', '0', '--data-dir', dir, '--drain-timeout', '2s'];
}
const env = childEnv({ DATABASE_URL: undefined, NATS_URL: undefined, PORT: undefined });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

test('a service whose stdout and stderr readers are gone still exits on SIGTERM, within its deadline', {
  timeout: 30_000,
}, async () => {
  const child = spawn(process.execPath, [PEAKLAB_BIN, ...ordersArgs()], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // Read up to the `listening` line, as `| head -3` would, then close both pipes: the service's
    // next line (its `stopping`) is the first to meet EPIPE.
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (l) => {
        if (l.includes('"event":"listening"')) {
          lines.close();
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    child.stdout.destroy();
    child.stderr.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    child.kill('SIGTERM');
    // Its deadline: --drain-timeout 2s plus the hard stop's second; the test allows a little more.
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 6000))]);
    assert.notEqual(code, 'hung', 'still running 6 s after SIGTERM');
    assert.equal(code, 0, 'a clean stop');
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a parent killed while its service runs leaves no service behind', { timeout: 30_000 }, async () => {
  // A lab-like parent: it starts the service through the labs' spawn helper, prints its pid and
  // waits. SIGKILL leaves it no chance to clean up; the service has to notice by itself.
  const helper = fileURLToPath(new URL('../shared/child-service.js', import.meta.url));
  const script = `
    const { spawnPeaklab } = await import(${JSON.stringify(helper)});
    const svc = await spawnPeaklab(${JSON.stringify(ordersArgs())}, { env: process.env });
    console.log(svc.child.pid);
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let childPid: number | undefined;
  try {
    childPid = await new Promise<number>((resolve, reject) => {
      createInterface({ input: parent.stdout }).once('line', (l) => resolve(Number(l)));
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    assert.ok(childPid > 0 && alive(childPid), 'the service runs');
    parent.kill('SIGKILL');
    assert.ok(await waitGone(childPid, 6000), `service ${childPid} still runs 6 s after its parent died`);
  } finally {
    parent.kill('SIGKILL');
    if (childPid !== undefined && alive(childPid)) process.kill(childPid, 'SIGKILL');
  }
});
