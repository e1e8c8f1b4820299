/**
 * The reference for the orders benchmark: a bare node:http server that reads the body, parses the
 * JSON and answers the same 200 body as the service. Run as its own process by bench/orders.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let ok = false;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username?: unknown };
      ok = typeof body.username === 'string';
    } catch {}
    if (!ok) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"result":"invalid"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"result":"created","id":"${randomUUID()}"}`);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
