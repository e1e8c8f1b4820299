import { readFileSync } from 'node:fs';
import { PeaklabError } from '../shared/errors.js';
import { DEFAULTS } from './defaults.js';
import type { EngineSettings } from './engine.js';
import { type OkTable, okTable } from './ok-status.js';
import { parseProfile } from './profile.js';
import { hasTemplate } from './template.js';
import { parseThreshold, type Threshold } from './thresholds.js';
import type { LoadOptions } from './types.js';

export interface Target {
  protocol: 'http' | 'grpc';
  /** scheme://host:port, without the path. */
  origin: string;
  host: string;
  port: number;
  /** Path and query, possibly templated. */
  path: string;
}

/** LoadOptions checked and completed with defaults: what the engine and transports run on. */
export interface Resolved {
  options: LoadOptions;
  model: 'open' | 'closed';
  target: Target;
  engine: EngineSettings;
  connections: number;
  timeoutMs: number;
  threads: number;
  method: string;
  /** Text to template per request, a file's exact bytes, or a list of bodies (see bodyList). */
  body: string | Buffer | readonly Buffer[] | undefined;
  /** Which status codes count as ok (index: HTTP code, or gRPC code). */
  ok: OkTable;
  maxRedirects: number;
  thresholds: Threshold[];
}

function usage(message: string): PeaklabError {
  return new PeaklabError('PL_USAGE', message);
}

export function parseTarget(raw: string): Target {
  const m = /^(https?|grpc):\/\/([^/?#]+)(.*)$/.exec(raw.trim());
  if (!m) throw new PeaklabError('PL_TARGET_INVALID', `"${raw}" is not an http://, https:// or grpc:// URL`);
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  if (hasTemplate(authority)) {
    throw new PeaklabError('PL_TARGET_INVALID', `"${raw}": templates may be used in the path, not the host`);
  }
  let url: URL;
  try {
    url = new URL(`${scheme === 'grpc' ? 'http' : scheme}://${authority}`);
  } catch {
    throw new PeaklabError('PL_TARGET_INVALID', `"${raw}" is not a valid URL`);
  }
  const port = Number(url.port || (scheme === 'https' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const origin = `${scheme === 'grpc' ? 'http' : scheme}://${url.host}`;
  return { protocol: scheme === 'grpc' ? 'grpc' : 'http', origin, host, port, path: rest || '/' };
}

function positiveInt(name: string, v: number | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min)
    throw usage(`${name} must be a whole number of at least ${min}, not ${v}`);
  return v;
}

/**
 * The body to send: inline text (templated), or "@file": the file's bytes, exactly (binary-safe).
 * With `templated`, a file is read as UTF-8 text and templated; bytes that are not UTF-8 are
 * refused rather than sent mangled.
 */
function readBody(body: string | undefined, templated: boolean): string | Buffer | undefined {
  if (body === undefined || !body.startsWith('@')) {
    if (templated) throw usage('--template-body is for a --body @file (inline bodies are always templated)');
    return body;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(body.slice(1));
  } catch {
    throw new PeaklabError('PL_FILE_INVALID', `cannot read the body file ${body.slice(1)}`);
  }
  if (!templated) return bytes;
  const text = bytes.toString('utf8');
  if (!Buffer.from(text).equals(bytes)) {
    throw new PeaklabError(
      'PL_FILE_INVALID',
      `${body.slice(1)} is not UTF-8 text, so it cannot be templated`,
    );
  }
  return text;
}

/** A body list file: a JSON array of at least one base64 string; PL_FILE_INVALID otherwise. */
function readBodyList(file: string): Buffer[] {
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new PeaklabError('PL_FILE_INVALID', `cannot read the body list ${file} (a JSON array of base64)`);
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((b) => typeof b === 'string')) {
    throw new PeaklabError('PL_FILE_INVALID', `${file} is not a non-empty JSON array of base64 strings`);
  }
  return list.map((b: string) => Buffer.from(b, 'base64'));
}

/** Options that would be silently ignored in this combination are refused instead. */
function checkCombinations(options: LoadOptions, target: Target): void {
  if (options.rate !== undefined && options.vus !== undefined)
    throw usage('give either --rate or --vus, not both');
  if (options.thinkMs !== undefined && options.vus === undefined)
    throw usage('--think is for the closed model (--vus); the open model (--rate) has no think time');
  if (target.protocol === 'grpc') {
    if (!options.grpc) throw usage('a grpc:// target needs --proto and --call');
    if (options.body !== undefined) throw usage('--body is for HTTP; gRPC sends --data');
    if (options.method !== undefined) throw usage('--method is for HTTP; gRPC calls use --call');
    if ((options.headers ?? []).length > 0) throw usage('--header is for HTTP targets, not grpc://');
    if (options.maxRedirects !== undefined) throw usage('--max-redirects is for HTTP; gRPC has no redirects');
    if (options.templateBody) throw usage('--template-body is for HTTP; gRPC --data is always templated');
  } else if (options.grpc) {
    throw usage(`--proto and --call need a grpc:// target, not ${target.origin}`);
  }
  if (options.insecure && !target.origin.startsWith('https:'))
    throw usage(`--insecure skips TLS verification: it needs an https:// target, not ${target.origin}`);
}

/** Validates options before anything starts; every problem is a PeaklabError with exit code 2. */
export function resolveOptions(options: LoadOptions): Resolved {
  const target = parseTarget(options.target);
  checkCombinations(options, target);
  const vus = positiveInt('--vus', options.vus) ?? 0;
  const requests = positiveInt('--requests', options.requests);
  const threads = positiveInt('--threads', options.threads) ?? 1;
  const maxInflightGiven = positiveInt('--max-inflight', options.maxInflight);
  const maxRedirects = positiveInt('--max-redirects', options.maxRedirects, 0) ?? 0;
  const ok = okTable(options.okStatus, target.protocol);
  if (options.durationMs !== undefined && !(options.durationMs > 0))
    throw usage('--duration must be positive');
  if (options.thinkMs !== undefined && !(options.thinkMs >= 0)) throw usage('--think must not be negative');
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw usage('--timeout must be positive');
  // Without --duration or --requests the run lasts the default, so ramp and spike are shaped over
  // it; profiles with a length of their own (steps, trace) ignore it and set the duration instead.
  const lengthMs = options.durationMs ?? (requests === undefined ? DEFAULTS.durationMs : undefined);
  // The open model is the default: without --rate or --vus, the default profile.
  const rate = options.rate ?? (options.vus === undefined ? DEFAULTS.rate : undefined);
  const profile = rate === undefined ? undefined : parseProfile(rate, lengthMs && lengthMs / 1000);
  let durationMs = options.durationMs;
  if (durationMs === undefined && requests === undefined) {
    durationMs =
      profile?.naturalDurationS !== undefined ? profile.naturalDurationS * 1000 : DEFAULTS.durationMs;
  }
  const model = profile ? 'open' : 'closed';
  const connections =
    positiveInt('--connections', options.connections) ??
    (model === 'closed' ? vus : DEFAULTS.openConnections);
  if (threads > connections) throw usage(`--threads ${threads} needs at least as many --connections`);
  if (maxInflightGiven !== undefined && threads > maxInflightGiven)
    throw usage(`--threads ${threads} needs --max-inflight of at least ${threads} (one per thread)`);
  const maxInflight = maxInflightGiven ?? (model === 'open' ? DEFAULTS.openMaxInflight : 0);
  if (model === 'closed' && options.preciseStarts)
    throw usage('--precise-starts times the open model (--rate); the closed model (--vus) has no schedule');
  if (model === 'closed' && threads > vus) throw usage(`--threads ${threads} needs at least as many --vus`);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  if (options.bodyList !== undefined && options.body !== undefined)
    throw usage('give either a body or a body list, not both');
  const body =
    options.bodyList !== undefined
      ? readBodyList(options.bodyList)
      : readBody(options.body, options.templateBody === true);
  const engine: EngineSettings = {
    profile,
    vus,
    thinkMs: options.thinkMs ?? DEFAULTS.thinkMs,
    durationMs,
    requests,
    maxInflight,
    lateAfterMs: DEFAULTS.lateAfterMs,
    preciseStarts: options.preciseStarts === true,
    graceMs: DEFAULTS.graceMs,
    drainMs: timeoutMs + 1000,
  };
  return {
    options: rate === options.rate ? options : { ...options, rate },
    model,
    target,
    engine,
    connections,
    timeoutMs,
    threads,
    method: options.method ?? (body === undefined ? DEFAULTS.method : 'POST'),
    body,
    ok,
    maxRedirects,
    thresholds: (options.thresholds ?? []).map(parseThreshold),
  };
}
