import {
  type Client,
  type ClientUnaryCall,
  credentials,
  loadPackageDefinition,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_OPTIONS, shippedProto } from '../../../platform/grpc/mod.js';

/** A @grpc/grpc-js client of the shipped proto, as a user of the seed's service would write it. */
export interface CounterClient extends Client {
  increment(
    request: { value: number },
    options: { deadline: number },
    callback: (err: ServiceError | null, reply?: { message: string }) => void,
  ): ClientUnaryCall;
}

let ctor: ServiceClientConstructor | undefined;

/** A new client (its own HTTP/2 connection) to `address` ("host:port"). Close it with .close(). */
export function counterClient(address: string): CounterClient {
  if (ctor === undefined) {
    const pkg = loadPackageDefinition(loadSync(shippedProto('counter.proto'), PROTO_OPTIONS)) as unknown as {
      counter: { incrementCounter: ServiceClientConstructor };
    };
    ctor = pkg.counter.incrementCounter;
  }
  return new ctor(address, credentials.createInsecure()) as unknown as CounterClient;
}

/** One call; resolves to the reply's message, rejects with the ServiceError. 10 s deadline. */
export function increment(client: CounterClient, value: number, deadlineMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    client.increment({ value }, { deadline: Date.now() + deadlineMs }, (err, reply) =>
      err ? reject(err) : resolve(reply!.message),
    );
  });
}

/** N from "Incremented value is N". Throws on any other message. */
export function parseTotal(message: string): bigint {
  const m = /^Incremented value is (-?\d+)$/.exec(message);
  if (m === null) throw new Error(`unexpected reply ${JSON.stringify(message)}`);
  return BigInt(m[1]!);
}

/**
 * `calls` increments of `value` over one client, at most `concurrency` in flight (a closed model:
 * each slot sends its next call when the last one answers). Resolves to every N and every error
 * code, in completion order.
 */
export async function hammer(
  client: CounterClient,
  opts: { calls: number; concurrency: number; value?: number; deadlineMs?: number },
): Promise<{ totals: bigint[]; errors: number[] }> {
  const totals: bigint[] = [];
  const errors: number[] = [];
  let next = 0;
  const slot = async () => {
    while (next < opts.calls) {
      next++;
      try {
        totals.push(parseTotal(await increment(client, opts.value ?? 1, opts.deadlineMs)));
      } catch (err) {
        errors.push((err as ServiceError).code ?? -1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.calls) }, slot));
  return { totals, errors };
}

/** Checks that `totals` is exactly 1..n, each once; returns a description of the first problem. */
export function problemWithTotals(totals: readonly bigint[], n: number): string | undefined {
  if (totals.length !== n) return `${totals.length} replies, expected ${n}`;
  const seen = new Set<bigint>();
  for (const t of totals) {
    if (t < 1n || t > BigInt(n)) return `N ${t} is outside 1..${n}`;
    if (seen.has(t)) return `N ${t} was answered twice`;
    seen.add(t);
  }
  return undefined;
}
