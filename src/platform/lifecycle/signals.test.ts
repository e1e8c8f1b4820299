import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capturingLogger } from '../../testing/logger.js';
import type { ShutdownReport } from './lifecycle.js';
import { onShutdownSignal } from './signals.js';

// process.emit runs the handlers without a real signal; each test removes the ones it installed.
const cleanup: Array<[NodeJS.Signals, NodeJS.SignalsListener]> = [];

function installed(fn: () => void): void {
  const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
  fn();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    for (const l of process.listeners(sig)) if (!before.has(l)) cleanup.push([sig, l]);
  }
}

function uninstall(): void {
  for (const [sig, l] of cleanup.splice(0)) process.off(sig, l);
}

function waitExit(): { exit: (code: number) => void; code: Promise<number> } {
  let exit: (code: number) => void = () => {};
  const code = new Promise<number>((resolve) => {
    exit = resolve;
  });
  return { exit, code };
}

const clean: ShutdownReport = { clean: true, dropped: [], failed: [] };

test('signals: a clean stop exits 0; one that dropped work exits 1, logging why', async () => {
  for (const [report, want, event] of [
    [clean, 0, 'stopped'],
    [{ clean: false, dropped: [{ part: 'q', unit: 'orders', count: 3 }], failed: [] }, 1, 'stopped-unclean'],
  ] as const) {
    const lines: Array<Record<string, unknown>> = [];
    const { exit, code } = waitExit();
    installed(() => onShutdownSignal(capturingLogger(lines), async () => report, { exit }));
    process.emit('SIGTERM');
    assert.equal(await code, want);
    assert.deepEqual(
      lines.map((l) => l.event),
      ['stopping', event],
    );
    uninstall();
  }
});

test('signals: past the deadline it exits 1 whatever still runs; a second signal exits 1 at once', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const { exit, code } = waitExit();
  installed(() =>
    onShutdownSignal(capturingLogger(lines), () => new Promise(() => {}), { exit, deadlineMs: 100 }),
  );
  process.emit('SIGTERM');
  assert.equal(await code, 1);
  assert.equal(lines.at(-1)?.event, 'shutdown-timeout');
  assert.equal(lines.at(-1)?.code, 'PL_SHUTDOWN_UNCLEAN');
  uninstall();

  const forced = waitExit();
  const more: Array<Record<string, unknown>> = [];
  installed(() =>
    onShutdownSignal(capturingLogger(more), () => new Promise(() => {}), { exit: forced.exit }),
  );
  process.emit('SIGTERM');
  process.emit('SIGINT');
  assert.equal(await forced.code, 1);
  assert.deepEqual(
    more.map((l) => l.event),
    ['stopping', 'forced'],
  );
  uninstall();
});
