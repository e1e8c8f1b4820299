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
import { DEFAULTS } from './defaults.js';
import type { OkTable } from './ok-status.js';
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
  ok: OkTable;
}

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

/** The request as protobuf bytes; throws when --data is not JSON or does not fit the message. */
function serialize(method: MethodDefinition<unknown, unknown>, text: string): Buffer {
  return method.requestSerialize(JSON.parse(text));
}

/**
 * Messages pass as bytes: requests are serialized here (once, when untemplated) and replies are
 * counted, never decoded, which a load generator has no use for.
 */
const asBytes = (b: Buffer): Buffer => b;

/**
 * The error kind of a call that failed in the transport (grpc-js reports those as statuses it made
 * up itself: UNAVAILABLE "No connection established", "Connection dropped", "read ECONNRESET",
 * INTERNAL "Call ended without gRPC status"), or undefined for a status the server sent. Our own
 * --timeout is kind "timeout", as for HTTP.
 */
export function grpcFailureKind(code: number, details: string): string | undefined {
  if (code === status.DEADLINE_EXCEEDED) return 'timeout';
  const errno = /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(details)?.[1];
  if (code === status.UNAVAILABLE) {
    if (
      /^(No connection established|Connection dropped|Write (error|failed)|Channel closed|read E|write E|connect E)/.test(
        details,
      )
    ) {
      if (errno && errno !== 'EPROTO') return errno.toLowerCase();
      return details.startsWith('No connection established') ? 'unavailable' : 'closed';
    }
    return undefined;
  }
  if (
    code === status.INTERNAL &&
    /Call ended without gRPC status|RST_STREAM.*internal client error/.test(details)
  ) {
    return errno ? errno.toLowerCase() : 'closed';
  }
  if (code === status.CANCELLED && details === 'Call cancelled') return 'closed';
  return undefined;
}

/** Unary gRPC calls over `connections` channels, each its own HTTP/2 connection. */
export function createGrpcTransport(s: GrpcSettings): Transport {
  const method = findMethod(s);
  const templated = hasTemplate(s.data);
  const render = compileTemplate(s.data, '--data');
  let fixed: Buffer | undefined;
  if (!templated) {
    try {
      fixed = serialize(method, s.data);
    } catch (err) {
      throw new PeaklabError('PL_USAGE', `--data is not a valid ${s.call} request: ${describeError(err)}`);
    }
  }
  // A local subchannel pool per client, so each client really opens its own connection.
  const clients = Array.from(
    { length: s.connections },
    () => new Client(s.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  const metadata = new Metadata();
  const ok = s.ok;
  let next = 0;
  return {
    capacity: s.connections * DEFAULTS.grpcStreamsPerConnection,
    label: s.call,
    send(x: Exchange, done: Done) {
      let arg = fixed as Buffer;
      if (templated) {
        const text = render({ seq: x.seq });
        try {
          arg = serialize(method, text);
        } catch {
          x.error = 'bad_data';
          x.excerpt = text.slice(0, EXCERPT_BYTES);
          queueMicrotask(() => done(x));
          return;
        }
      }
      x.bytesOut = arg.length;
      const client = clients[next] as Client;
      next = (next + 1) % clients.length;
      client.makeUnaryRequest(
        method.path,
        asBytes,
        asBytes,
        arg,
        metadata,
        { deadline: Date.now() + s.timeoutMs },
        (err: ServiceError | null, reply?: Buffer) => {
          if (reply) x.bytesIn = reply.length;
          const code = err ? err.code : status.OK;
          if (err) x.excerpt = (err.details ?? '').slice(0, EXCERPT_BYTES);
          // One outcome: a transport failure (or our --timeout) is an error kind, as for HTTP;
          // a status the server sent is a status.
          const failure = err ? grpcFailureKind(code, err.details ?? '') : undefined;
          if (failure !== undefined) x.error = failure;
          else {
            x.status = status[code] ?? String(code);
            x.ok = ok[code] === 1;
          }
          done(x);
        },
      );
    },
    async close() {
      for (const c of clients) c.close();
    },
  };
}
