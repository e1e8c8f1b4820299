import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from './mod.js';
import { startServer } from './testing/server.js';

test('closed model: N virtual users never have more than N requests open, and think between', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 10));
  try {
    const r = await runLoad({ target: `${server.url}/`, vus: 4, thinkMs: 40, durationMs: 1500 });
    assert.equal(r.settings.model, 'closed');
    assert.ok(server.maxOpen <= 4, `max open ${server.maxOpen}`);
    // Each user loops every ~50 ms (10 ms server + 40 ms think): about 4 × 30 = 120 requests.
    assert.ok(r.summary.completed >= 60 && r.summary.completed <= 125, `completed ${r.summary.completed}`);
    assert.equal(server.received, r.summary.completed);
    assert.ok((r.latency.percentiles.p50 as number) >= 9, 'latency includes the server time');
  } finally {
    await server.close();
  }
});

test('--requests sends exactly that many, in either model', async () => {
  const server = await startServer();
  try {
    const closed = await runLoad({ target: `${server.url}/`, vus: 3, requests: 101 });
    assert.equal(closed.summary.completed, 101);
    const open = await runLoad({ target: `${server.url}/`, rate: 'constant:500', requests: 77 });
    assert.equal(open.summary.started, 77);
    assert.equal(server.received, 178);
  } finally {
    await server.close();
  }
});

test('--max-inflight caps open requests; starts beyond it are counted as dropped', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 800));
  try {
    const r = await runLoad({
      target: `${server.url}/`,
      rate: 'constant:100',
      durationMs: 500,
      maxInflight: 10,
    });
    assert.equal(r.summary.scheduled, 50);
    assert.equal(r.summary.started, 10);
    assert.equal(r.summary.dropped, 40);
    assert.equal(server.received, 10);
    assert.equal(
      r.timeline.reduce((n, s) => n + s.dropped, 0),
      40,
    );
  } finally {
    await server.close();
  }
});

test('requests waiting for a free connection are late, and timed from their intended start', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 100));
  try {
    // One connection, 100 ms per request, 20 starts/s: the queue grows and requests go out late.
    const r = await runLoad({
      target: `${server.url}/`,
      rate: 'constant:20',
      durationMs: 1000,
      connections: 1,
    });
    assert.equal(server.maxOpen, 1);
    assert.equal(r.summary.started, 20);
    assert.ok(r.summary.late >= 15, `late ${r.summary.late}`);
    // The scheduler itself kept time: the lateness was the wait for the connection.
    assert.ok(
      (r.schedulingLag?.percentiles.p50 as number) < 5,
      `scheduling lag p50 ${r.schedulingLag?.percentiles.p50}`,
    );
    assert.ok((r.latency.percentiles.p99 as number) > 900, `latency p99 ${r.latency.percentiles.p99}`);
    assert.ok(
      (r.serviceTime.percentiles.p99 as number) < 300,
      `service p99 ${r.serviceTime.percentiles.p99}`,
    );
  } finally {
    await server.close();
  }
});

test('closed model with fewer connections than users: every user keeps looping', async () => {
  const server = await startServer((_q, res) => setTimeout(() => res.end('ok'), 20));
  try {
    // 6 users share 2 connections: 2 in flight, 4 waiting, all the time; ~100 requests in 1 s.
    const r = await runLoad({ target: `${server.url}/`, vus: 6, connections: 2, durationMs: 1000 });
    assert.equal(server.maxOpen, 2);
    assert.ok(r.summary.completed >= 60, `completed ${r.summary.completed}`);
    // Users waiting for a connection are timed from their intended start: ~3 turns of 20 ms.
    assert.ok((r.latency.percentiles.p50 as number) >= 45, `latency p50 ${r.latency.percentiles.p50}`);
    assert.ok((r.serviceTime.percentiles.p50 as number) < 40, `service p50 ${r.serviceTime.percentiles.p50}`);
  } finally {
    await server.close();
  }
});
