import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { capturingLogger } from '../../testing/logger.js';
import { freePort } from '../../testing/tools.js';
import { waitFor } from '../../testing/wait.js';
import { type InfluxTarget, influxTarget } from '../config/influx.js';
import { FINAL_PUSH_MS, InfluxPusher } from './influx-push.js';

function registry(): Registry {
  const r = new Registry();
  new Counter({ name: 'x_total', help: 'h', registers: [r] }).inc();
  return r;
}

function target(url: string, intervalMs: number): InfluxTarget {
  const t = influxTarget({
    influxUrl: url,
    influxDb: 'db',
    influxBucket: undefined,
    influxOrg: undefined,
    influxToken: undefined,
    influxInterval: intervalMs,
  });
  assert.ok(t);
  return t;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('a failing endpoint is logged once, its recovery once; the service never sees an error', async () => {
  let requests = 0;
  const bodies: string[] = [];
  const { server, url } = await listen((req, res) => {
    requests++;
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      bodies.push(body);
      // The first four pushes are refused as InfluxDB refuses them (a reason in the body).
      if (requests <= 4) res.writeHead(404).end('{"error":"database not found: \\"db\\""}');
      else res.writeHead(204).end();
    });
  });
  const lines: Array<Record<string, unknown>> = [];
  const pusher = new InfluxPusher({
    registry: registry(),
    target: target(url, 40),
    logger: capturingLogger(lines),
  });
  pusher.start();
  assert.ok(await waitFor(async () => pusher.stats.ok >= 2, 5000, 20), JSON.stringify(pusher.stats));
  await pusher.close();
  server.close();
  const events = lines.map((l) => l.event).filter((e) => e !== 'influx_push');
  assert.deepEqual(events, ['influx_push_failed', 'influx_push_recovered']);
  assert.match(
    String(lines.find((l) => l.event === 'influx_push_failed')?.err),
    /HTTP 404: .*database not found/,
  );
  assert.equal(lines.find((l) => l.event === 'influx_push_recovered')?.failed_pushes, 4);
  assert.equal(pusher.stats.failed, 4);
  assert.match(bodies.at(-1) ?? '', /^x_total value=1\.0 \d+\n$/);
});

test('an unreachable or stalled endpoint: every push and the final one are bounded', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const lines: Array<Record<string, unknown>> = [];
  const refused = new InfluxPusher({
    registry: registry(),
    target: target(closed, 1000),
    logger: capturingLogger(lines),
  });
  assert.equal(await refused.pushNow(), false);
  assert.equal(await refused.pushNow(), false);
  assert.equal(lines.filter((l) => l.event === 'influx_push_failed').length, 1, 'logged once');
  await refused.close();

  // Accepts the connection, never answers.
  const { server, url } = await listen(() => {});
  const stalled = new InfluxPusher({
    registry: registry(),
    target: target(url, 60_000),
    logger: capturingLogger([]),
    timeoutMs: 300,
  });
  stalled.start();
  const started = performance.now();
  assert.equal(await stalled.pushNow(), false);
  await stalled.close(); // the final push times out too
  const took = performance.now() - started;
  assert.ok(took < 2000, `two bounded pushes took ${Math.round(took)} ms`);

  // The stop as the lifecycle runs it: a push in flight to a stalled endpoint (5 s timeout) and
  // the final push take FINAL_PUSH_MS together at most, well inside the close budget.
  const slow = new InfluxPusher({
    registry: registry(),
    target: target(url, 10_000),
    logger: capturingLogger([]),
  });
  slow.start();
  const inFlight = slow.pushNow();
  const stopAt = performance.now();
  await slow.close();
  const stopTook = performance.now() - stopAt;
  assert.ok(stopTook < FINAL_PUSH_MS + 500, `close() took ${Math.round(stopTook)} ms`);
  assert.equal(await inFlight, false);
  server.closeAllConnections();
  server.close();
});

test('a registry that fails to collect is a failed push, not an exception', async () => {
  const r = new Registry();
  new Counter({
    name: 'broken_total',
    help: 'h',
    registers: [r],
    collect() {
      throw new Error('collector broke');
    },
  });
  const lines: Array<Record<string, unknown>> = [];
  const pusher = new InfluxPusher({
    registry: r,
    target: target('http://127.0.0.1:1', 1000),
    logger: capturingLogger(lines),
  });
  assert.equal(await pusher.pushNow(), false);
  assert.match(String(lines[0]?.err), /collector broke/);
  await pusher.close();
});
