import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { otelTracer } from './otel-tracer.js';
import { activeSpanContext, batchSpan, dbSpan, producerSpan } from './spans.js';
import { startTestTracing } from './testing/traced.js';

test('inside an unsampled span the helpers make no spans but still propagate; inside a sampled one they record', async () => {
  const traced = await startTestTracing('spans-under-test', { OTEL_TRACES_SAMPLER: 'parentbased_always_on' });
  const { collector } = traced;
  const domain = otelTracer('spans-test');
  // One request's worth of helpers under a parent whose traceparent carries `flags`.
  const request = async (traceId: string, flags: '00' | '01') => {
    const remote = propagation.extract(ROOT_CONTEXT, {
      traceparent: `00-${traceId}-${'c'.repeat(16)}-${flags}`,
    });
    const outer = trace.getTracer('spans-test').startSpan('outer', {}, remote);
    const headers = await context.with(trace.setSpan(remote, outer), async () => {
      const sent = await producerSpan({ system: 'nats', destination: 'S' }, 'm1', async (h) => h);
      await dbSpan({ system: 'postgresql', namespace: 'test' }, 'SELECT', 'SELECT 1', async () => 1);
      await domain.inSpan('domain', {}, async () => 1);
      const me = activeSpanContext();
      await batchSpan('batch insert', [me], 1, async () => 1);
      return sent;
    });
    outer.end();
    return { headers, sampled: outer.isRecording(), spanId: outer.spanContext().spanId };
  };
  const off = `${'a'.repeat(31)}1`;
  const on = `${'b'.repeat(31)}2`;
  try {
    const quiet = await request(off, '00');
    assert.equal(quiet.sampled, false, 'the parent-based sampler follows the unsampled parent');
    assert.match(
      quiet.headers.traceparent ?? '',
      new RegExp(`^00-${off}-${quiet.spanId}-00$`),
      'the trace still crosses, with no span of its own',
    );
    const loud = await request(on, '01');
    assert.match(loud.headers.traceparent ?? '', new RegExp(`^00-${on}-[0-9a-f]{16}-01$`));
    await collector.waitFor((spans) => spans.filter((s) => s.traceId === on).length >= 5);
    const names = collector.spans
      .filter((s) => s.traceId === on)
      .map((s) => s.name)
      .sort();
    assert.deepEqual(names, ['SELECT test', 'batch insert', 'domain', 'outer', 'send S']);
    const batch = collector.spans.find((s) => s.name === 'batch insert');
    assert.deepEqual(
      batch?.links.map((l) => l.traceId),
      [on],
      'the batch links to its sampled caller',
    );
  } finally {
    await traced.close();
  }
  assert.equal(
    collector.spans.filter((s) => s.traceId === off).length,
    0,
    'nothing of the unsampled trace is exported',
  );
});
