import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom as random } from '../shared/seeded-random.js';
import { assertAccounting } from './testing/accounting.js';
import { runCli } from './testing/cli.js';
import { startTargetProcess } from './testing/target-process.js';
import type { LoadResult } from './types.js';

/**
 * Chaos: the target is SIGKILLed at a random moment of the run, in both models, with one and two
 * threads, over HTTP and gRPC. Whatever the moment (mid-connect, mid-request, mid-body, between
 * requests), peaklab must finish the run, count every failure as an error of a known kind, print
 * its report, write its result file and exit 0. The seed is in every message: to replay a failure,
 * put it in place of Date.now().
 */
const dir = mkdtempSync(join(tmpdir(), 'peaklab-chaos-'));
const proto = join(dir, 'counter.proto');
writeFileSync(
  proto,
  `syntax = "proto3";
package counter;
service Counter { rpc Add (AddRequest) returns (AddReply); }
message AddRequest { int32 value = 1; }
message AddReply { int64 total = 1; }
`,
);

/** Error kinds a dead target may produce; "error" (unclassified) is not among them. */
const KNOWN_KINDS = /^(econnrefused|econnreset|epipe|closed|timeout|bad_response|unavailable)$/;

const MODELS: Record<string, string[]> = { open: ['--rate', 'constant:300'], closed: ['--vus', '4'] };

for (const protocol of ['http', 'grpc'] as const) {
  for (const model of ['open', 'closed']) {
    for (const threads of [1, 2]) {
      test(`chaos: ${protocol}, ${model} model, --threads ${threads}: the target dies at a random moment`, async () => {
        const seed = Date.now() % 1_000_000;
        const rnd = random(seed);
        for (let round = 0; round < 2; round++) {
          const target = await startTargetProcess(protocol, proto);
          const url =
            protocol === 'http' ? `http://127.0.0.1:${target.port}/` : `grpc://127.0.0.1:${target.port}`;
          const grpcArgs =
            protocol === 'grpc'
              ? ['--proto', proto, '--call', 'counter.Counter/Add', '--data', '{"value":1}']
              : [];
          const out = join(dir, `${protocol}-${model}-${threads}-${seed}-${round}.json`);
          // The kill comes a random moment after the first request reached the target, so it
          // lands mid-run whatever the start-up took.
          const killAtMs = Math.round(rnd() * 900);
          const why = `seed ${seed}, round ${round}, killed ${killAtMs} ms after the first request`;
          let stopWatching = false;
          const killer = (async () => {
            while (!stopWatching && (await target.received().catch(() => 1)) === 0) await sleep(5);
            await sleep(killAtMs);
            await target.kill();
          })();
          try {
            const r = await runCli([
              'load',
              url,
              ...MODELS[model]!,
              ...grpcArgs,
              '--threads',
              String(threads),
              '--duration',
              '1200ms',
              '--timeout',
              '400ms',
              '--out',
              out,
            ]);
            assert.equal(r.code, 0, `${why}: exit ${r.code}\n${r.err}`);
            assert.doesNotMatch(r.err, /\n\s+at |unexpected/, why);
            assert.match(r.out, /Summary:/, why);
            const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
            assertAccounting(result, why);
            assert.ok(result.summary.failed > 0, `${why}: failures after the kill are counted`);
            // The targets only ever answer 200 / OK: any other status is a transport failure
            // miscounted as a response.
            assert.deepEqual(
              Object.keys(result.summary.status).filter((k) => k !== '200' && k !== 'OK'),
              [],
              `${why}: ${JSON.stringify(result.summary.status)}`,
            );
            for (const kind of Object.keys(result.summary.errors))
              assert.match(kind, KNOWN_KINDS, `${why}: ${JSON.stringify(result.summary.errors)}`);
          } finally {
            stopWatching = true;
            await target.kill();
            await killer;
          }
        }
      });
    }
  }
}
