import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeaklabError, PeaklabError } from '../../shared/errors.js';
import { withStopSignal } from './lab-signal.js';

function abortedRun(sig: 'SIGINT' | 'SIGTERM') {
  return withStopSignal(async (signal) => {
    process.emit(sig, sig);
    assert.ok(signal.aborted);
    throw new PeaklabError('PL_LAB_FAILED', 'shed mode: interrupted');
  });
}

test('a lab stopped by SIGINT fails with PL_INTERRUPTED (exit 130), not PL_LAB_FAILED', async () => {
  await assert.rejects(abortedRun('SIGINT'), (err) => {
    assert.ok(isPeaklabError(err, 'PL_INTERRUPTED'), String(err));
    assert.equal(err.exitCode, 130);
    return true;
  });
});

test('a lab stopped by SIGTERM fails with PL_TERMINATED (exit 143)', async () => {
  await assert.rejects(abortedRun('SIGTERM'), (err) => {
    assert.ok(isPeaklabError(err, 'PL_TERMINATED'), String(err));
    assert.equal(err.exitCode, 143);
    return true;
  });
});

test('a lab that returns after SIGINT still exits 130; without a signal errors pass through', async () => {
  await assert.rejects(
    withStopSignal(async () => {
      process.emit('SIGINT', 'SIGINT');
    }),
    (err) => isPeaklabError(err, 'PL_INTERRUPTED'),
  );
  await assert.rejects(
    withStopSignal(async () => {
      throw new PeaklabError('PL_LAB_FAILED', 'died');
    }),
    (err) => isPeaklabError(err, 'PL_LAB_FAILED'),
  );
  assert.equal(await withStopSignal(async () => 7), 7);
  assert.equal(process.listenerCount('SIGINT'), 0);
});
