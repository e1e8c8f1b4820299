import { existsSync } from 'node:fs';
import {
  Client,
  credentials,
  Metadata,
  type MethodDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { describeError, PeaklabError } from '../shared/errors.js';
import { compileTemplate, hasTemplate } from './template.js';
import { type Done, EXCERPT_BYTES, type Exchange, type Transport } from './transport.js';

export interface GrpcSettings {
  proto: string;
  /** "package.Service/method" */
  call: string;
  /** The request message as JSON; may hold {{templates}}. */
  data: string;
  address: string;
  connections: number;
  timeoutMs: number;
}

const STREAMS_PER_CONNECTION = 100;

function protoError(message: string): PeaklabError {
  return new PeaklabError('PL_PROTO_INVALID', message);
}

function findMethod(s: GrpcSettings): MethodDefinition<unknown, unknown> {
  if (!existsSync(s.proto)) throw protoError(`proto file ${s.proto} does not exist`);
  let pkg: ReturnType<typeof loadSync>;
  try {
    pkg = loadSync(s.proto, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  } catch (err) {
    throw protoError(`cannot load ${s.proto}: ${describeError(err).split('\n')[0]}`);
  }
  const [service, method] = s.call.split('/');
  const def = service ? pkg[service] : undefined;
  if (!def || 'format' in def || !method) {
    const services = Object.keys(pkg).filter((k) => !('format' in (pkg[k] as object)));
    throw protoError(
      `--call "${s.call}": expected Service/method; services in ${s.proto}: ${services.join(', ')}`,
    );
  }
  const m = (def as Record<string, MethodDefinition<unknown, unknown>>)[method];
  if (!m) throw protoError(`--call "${s.call}": ${service} has no method ${method}`);
  if (m.requestStream || m.responseStream)
    throw protoError(`--call "${s.call}" is streaming; only unary calls are supported`);
  return m;
}

function parseData(text: string, seqText: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PeaklabError('PL_USAGE', `--data is not JSON: ${seqText}`);
  }
}

/** Unary gRPC calls over `connections` channels, each its own HTTP/2 connection. */
export function createGrpcTransport(s: GrpcSettings): Transport {
  const method = findMethod(s);
  const templated = hasTemplate(s.data);
  const render = compileTemplate(s.data, '--data');
  const fixed = templated ? undefined : parseData(s.data, s.data);
  if (fixed !== undefined) method.requestSerialize(fixed);
  // A local subchannel pool per client, so each client really opens its own connection.
  const clients = Array.from(
    { length: s.connections },
    () => new Client(s.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  const metadata = new Metadata();
  let next = 0;
  return {
    capacity: s.connections * STREAMS_PER_CONNECTION,
    label: s.call,
    send(x: Exchange, done: Done) {
      let arg: unknown = fixed;
      if (templated) {
        const text = render({ seq: x.seq });
        try {
          arg = JSON.parse(text);
        } catch {
          x.error = 'bad_data';
          x.excerpt = text.slice(0, EXCERPT_BYTES);
          queueMicrotask(() => done(x));
          return;
        }
      }
      const client = clients[next] as Client;
      next = (next + 1) % clients.length;
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        arg,
        metadata,
        { deadline: Date.now() + s.timeoutMs },
        (err: ServiceError | null) => {
          const code = err ? err.code : status.OK;
          x.status = status[code] ?? String(code);
          x.ok = code === status.OK;
          if (err) x.excerpt = err.details.slice(0, EXCERPT_BYTES);
          done(x);
        },
      );
    },
    async close() {
      for (const c of clients) c.close();
    },
  };
}
