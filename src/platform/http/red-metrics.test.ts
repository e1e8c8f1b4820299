import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createMetricsRegistry } from '../telemetry/registry.js';
import { registerMetricsRoute, registerRedMetrics } from './red-metrics.js';

test('http metrics: counts and times requests by method, route pattern and status', async () => {
  const registry = createMetricsRegistry();
  const app = Fastify();
  registerRedMetrics(app, registry);
  registerMetricsRoute(app, registry);
  app.get('/items/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    return reply.code(id === 'bad' ? 400 : 200).send({ id });
  });
  await app.register(
    async (scope) => {
      scope.post('/things', async (_request, reply) => reply.code(201).send({}));
    },
    { prefix: '/v1' },
  );
  try {
    for (const id of ['1', '2', '3', 'bad']) await app.inject({ method: 'GET', url: `/items/${id}` });
    await app.inject({ method: 'HEAD', url: '/items/1' });
    for (let i = 0; i < 2; i++) await app.inject({ method: 'POST', url: '/v1/things', payload: {} });
    await app.inject({ method: 'GET', url: '/nowhere/at/all' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const text = res.body;
    assert.match(text, /^http_requests_total\{method="GET",route="\/items\/:id",status="200"\} 3$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="\/items\/:id",status="400"\} 1$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    assert.match(
      text,
      /^http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status="200"\} 3$/m,
    );
    assert.match(text, /^process_cpu_user_seconds_total /m, 'default process metrics');
    assert.doesNotMatch(text, /route="\/items\/1"/, 'route is the pattern, not the path');
    // Each response counted once: a HEAD served by a GET route, a route in a prefixed plugin.
    assert.match(text, /^http_requests_total\{method="HEAD",route="\/items\/:id",status="200"\} 1$/m);
    assert.match(text, /^http_requests_total\{method="POST",route="\/v1\/things",status="201"\} 2$/m);
    assert.match(
      text,
      /^http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1$/m,
    );
  } finally {
    await app.close();
  }
});

test('http metrics: two registries in one process do not clash', () => {
  const a = createMetricsRegistry();
  const b = createMetricsRegistry({ defaultMetrics: false });
  registerRedMetrics(Fastify(), a);
  registerRedMetrics(Fastify(), b);
  assert.ok(a.getSingleMetric('http_requests_total'));
  assert.ok(b.getSingleMetric('http_requests_total'));
  assert.equal(b.getSingleMetric('process_cpu_user_seconds_total'), undefined);
});
