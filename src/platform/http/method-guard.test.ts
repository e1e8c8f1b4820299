import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { allowOnly } from './method-guard.js';

test('allowOnly: any other method is 405 with Allow, where fastify would say 404', async () => {
  const app = Fastify();
  app.post('/buy', async () => 'ok');
  app.get('/view', async () => 'ok');
  allowOnly(app, '/buy', ['POST']);
  allowOnly(app, '/view', ['GET']);
  try {
    const get = await app.inject({ method: 'GET', url: '/buy?x=1' });
    assert.equal(get.statusCode, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.deepEqual(get.json(), { error: 'method_not_allowed' });
    assert.equal((await app.inject({ method: 'DELETE', url: '/buy' })).statusCode, 405);
    assert.equal((await app.inject({ method: 'POST', url: '/buy' })).statusCode, 200);
    const post = await app.inject({ method: 'POST', url: '/view' });
    assert.equal(post.statusCode, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await app.inject({ method: 'HEAD', url: '/view' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/elsewhere' })).statusCode, 404);
  } finally {
    await app.close();
  }
});
