import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { countOtlpProtobufSpans, otlpProtobufToJson } from './otlp-protobuf.js';

/** A span as the collector decoded it, the same from OTLP/HTTP (protobuf or JSON) and from Zipkin v2 JSON. */
export interface CollectedSpan {
  readonly service: string;
  readonly name: string;
  /** OTLP's kind names: SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL. */
  readonly kind: string;
  /** 32 hex digits. */
  readonly traceId: string;
  /** 16 hex digits. */
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
}

export interface TraceCollector {
  /** Base URL: OTLP exporters post to <url>/v1/traces, Zipkin exporters to <url>/api/v2/spans. */
  readonly url: string;
  readonly spans: CollectedSpan[];
  /** Requests that did not decode (the test should see none). */
  readonly rejected: number;
  /** Spans received in all (kept or not). */
  readonly received: number;
  /** Posts decoded, by encoding: OTLP/HTTP protobuf, OTLP/HTTP JSON, Zipkin v2 JSON. */
  readonly posts: Readonly<Record<'protobuf' | 'json' | 'zipkin', number>>;
  /** Resolves once `pred` holds for the spans collected, or rejects after `timeoutMs`. */
  waitFor(pred: (spans: readonly CollectedSpan[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** An id as hex: OTLP/JSON carries hex, but a base64 id (the protobuf JSON mapping) is accepted too. */
function hexId(id: unknown): string {
  if (typeof id !== 'string' || id === '') return '';
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

function otlpValue(v: OtlpValue | undefined): string | number | boolean {
  if (v === undefined) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return JSON.stringify(v);
}

type OtlpAttrs = Array<{ key: string; value?: OtlpValue }> | undefined;

function otlpAttrs(attrs: OtlpAttrs): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const a of attrs ?? []) out[a.key] = otlpValue(a.value);
  return out;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpAttrs;
  links?: Array<{ traceId: string; spanId: string }>;
}

interface OtlpRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttrs };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

/** The spans of one OTLP/HTTP JSON ExportTraceServiceRequest. */
export function decodeOtlpJson(body: OtlpRequest): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const service = String(otlpAttrs(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const parent = hexId(s.parentSpanId);
        out.push({
          service,
          name: s.name,
          kind: KINDS[s.kind ?? 0] ?? 'UNSPECIFIED',
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          parentSpanId: parent === '' ? undefined : parent,
          attributes: otlpAttrs(s.attributes),
          links: (s.links ?? []).map((l) => ({ traceId: hexId(l.traceId), spanId: hexId(l.spanId) })),
        });
      }
    }
  }
  return out;
}

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/**
 * The spans of one Zipkin v2 JSON post. Zipkin has no links and no PRODUCER/CONSUMER distinction
 * beyond its own kinds; the OpenTelemetry exporter keeps the kind in `kind` and tags as strings.
 */
export function decodeZipkinJson(body: ZipkinSpan[]): CollectedSpan[] {
  return body.map((s) => ({
    service: s.localEndpoint?.serviceName ?? '',
    name: s.name ?? '',
    kind: s.kind ?? 'INTERNAL',
    traceId: s.traceId.padStart(32, '0'),
    spanId: s.id,
    parentSpanId: s.parentId,
    attributes: { ...(s.tags ?? {}) },
    links: [],
  }));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

/**
 * A trace collector for tests and the tracing bench: a node:http server that accepts what the
 * OpenTelemetry exporters post, OTLP/HTTP protobuf or JSON at /v1/traces (by content-type) and
 * Zipkin v2 JSON at /api/v2/spans,
 * decodes it and keeps the spans (or, with `keep: false`, only counts them). GET /stats answers
 * `{received, rejected}`. Anything else is answered 400/404 and counted in `rejected`.
 */
export async function startTraceCollector(
  opts: { port?: number; keep?: boolean } = {},
): Promise<TraceCollector> {
  const spans: CollectedSpan[] = [];
  const keep = opts.keep ?? true;
  let rejected = 0;
  let received = 0;
  const posts = { protobuf: 0, json: 0, zipkin: 0 };
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        try {
          let got: CollectedSpan[] | number;
          const protobuf = req.headers['content-type'] === 'application/x-protobuf';
          if (req.method === 'POST' && req.url === '/v1/traces' && protobuf) {
            got = keep
              ? decodeOtlpJson(otlpProtobufToJson(body) as OtlpRequest)
              : countOtlpProtobufSpans(body);
            posts.protobuf++;
          } else if (req.method === 'POST' && req.url === '/v1/traces') {
            got = decodeOtlpJson(JSON.parse(body.toString('utf8')) as OtlpRequest);
            posts.json++;
          } else if (req.method === 'POST' && req.url === '/api/v2/spans') {
            got = decodeZipkinJson(JSON.parse(body.toString('utf8')) as ZipkinSpan[]);
            posts.zipkin++;
          } else if (req.method === 'GET' && req.url === '/stats') {
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(JSON.stringify({ received, rejected }));
            return;
          } else {
            rejected++;
            res.writeHead(404).end();
            return;
          }
          if (typeof got === 'number') {
            received += got;
          } else {
            received += got.length;
            if (keep) spans.push(...got);
          }
          if (protobuf) {
            // An empty ExportTraceServiceResponse: every span accepted.
            res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          } else {
            res
              .writeHead(req.url === '/v1/traces' ? 200 : 202, { 'content-type': 'application/json' })
              .end('{}');
          }
        } catch {
          rejected++;
          res.writeHead(400).end();
        }
      },
      () => {
        rejected++;
        res.destroy();
      },
    );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get rejected() {
      return rejected;
    },
    get received() {
      return received;
    },
    posts,
    async waitFor(pred, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!pred(spans)) {
        if (Date.now() > until) {
          throw new Error(
            `trace collector: condition not met within ${timeoutMs} ms; got ${spans.length} spans: ${spans.map((s) => s.name).join(', ')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as TraceCollector;
}
