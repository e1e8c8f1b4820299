import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTraceCollector } from './trace-collector.js';

const post = (url: string, body: Uint8Array | string, type: string) =>
  fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': type } });

test('trace collector: malformed protobuf and JSON bodies are answered 400 and counted, never kept', async () => {
  for (const keep of [true, false]) {
    const c = await startTraceCollector({ keep });
    try {
      // A varint cut short; a length prefix past the end of the body.
      for (const body of [Uint8Array.of(0x08, 0xff), Uint8Array.of(0x0a, 0x7f, 0x01)]) {
        assert.equal((await post(c.url, body, 'application/x-protobuf')).status, 400, `keep ${keep}`);
      }
      assert.equal((await post(c.url, '{"resourceSpans": [', 'application/json')).status, 400);
      assert.equal(c.rejected, 3);
      assert.equal(c.received, 0);
      assert.deepEqual(c.spans, []);
      // An empty protobuf body is a valid, empty request: accepted, nothing counted.
      const empty = await post(c.url, new Uint8Array(), 'application/x-protobuf');
      assert.equal(empty.status, 200);
      assert.equal(empty.headers.get('content-type'), 'application/x-protobuf');
      assert.deepEqual({ ...c.posts }, { protobuf: 1, json: 0, zipkin: 0 });
    } finally {
      await c.close();
    }
  }
});
