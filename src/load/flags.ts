import type { Command } from 'commander';
import { duration, type Field, flagName, int, optionalStr } from '../config/mod.js';
import { PeaklabError } from '../shared/errors.js';
import { DEFAULTS } from './defaults.js';
import type { LoadOptions } from './types.js';

/** A field that stays undefined unless given. */
function optional<T>(f: Field<T>): Field<T | undefined> {
  return { ...f, default: undefined, parse: (raw) => f.parse(raw) };
}

/**
 * The value flags of `peaklab load`; --header, --threshold, --template-body and --quiet are
 * declared by the command.
 */
export const LOAD_FLAGS = {
  rate: optionalStr(
    `open model (the default): rate profile, e.g. constant:100, ramp:0..100, sine:0..100@60s (default ${DEFAULTS.rate})`,
    '<profile>',
  ),
  vus: optional(int('closed model: virtual users', 0, { min: 1 })),
  think: optional(duration(`closed model: pause after each response (default ${DEFAULTS.thinkMs}ms)`, 0)),
  duration: optional(
    duration(`how long to send (default ${DEFAULTS.durationMs / 1000}s, or the profile's own length)`, 0, {
      min: 1,
    }),
  ),
  requests: optional(
    int('stop after this many requests (with --duration: whichever comes first)', 0, { min: 1 }),
  ),
  connections: optional(
    int(`keep-alive connections (default ${DEFAULTS.openConnections}, or one per virtual user)`, 0, {
      min: 1,
    }),
  ),
  timeout: duration(`request timeout (default ${DEFAULTS.timeoutMs / 1000}s)`, DEFAULTS.timeoutMs, {
    min: 1,
  }),
  maxInflight: optional(
    int(
      `cap on open requests (in flight + waiting for a connection); starts beyond it are dropped (open model default ${DEFAULTS.openMaxInflight})`,
      0,
      { min: 1 },
    ),
  ),
  threads: int(`worker threads (default ${DEFAULTS.threads})`, DEFAULTS.threads, { min: 1, max: 64 }),
  method: optionalStr(`HTTP method (default ${DEFAULTS.method}, or POST with --body)`, '<method>'),
  body: optionalStr('request body with {{templates}}, or @file: sent byte for byte', '<text|@file>'),
  okStatus: optionalStr(
    'statuses that count as ok, e.g. 2xx,3xx or 200-299,404 (default 2xx,3xx; gRPC: OK)',
    '<list>',
  ),
  maxRedirects: optional(
    int('HTTP redirects to follow; a chain is timed as one request (default 0)', 0, { min: 0 }),
  ),
  proto: optionalStr('gRPC: the .proto file', '<file>'),
  call: optionalStr('gRPC: package.Service/method', '<call>'),
  data: optionalStr('gRPC: the request message as JSON', '<json>'),
  out: optionalStr('write the result as JSON (schema peaklab.load-result/v1)', '<file>'),
  jtl: optionalStr('write a JMeter CSV (JTL) file', '<file>'),
  html: optionalStr('write a self-contained HTML report', '<file>'),
  errorsLog: optionalStr('write every failed request as a JSON line', '<file>'),
  scenario: optionalStr(
    "run flows of steps: a module (.mjs, .js, .ts) whose default export is async (api) => {...}; the URL is the steps' base",
    '<file>',
  ),
  flowTimeout: optional(
    duration('scenario: a flow running longer than this ends as flow_timeout (default 30s)', 0, { min: 1 }),
  ),
  seed: optional(
    int(
      "scenario: seeds every flow's api.random(), so a run can be repeated (default: random; the result records it)",
      0,
      { min: 0, max: 2 ** 31 - 1 },
    ),
  ),
};

export type LoadFlags = {
  readonly [K in keyof typeof LOAD_FLAGS]: (typeof LOAD_FLAGS)[K] extends Field<infer T> ? T : never;
};

/**
 * Declares the value flags. Unlike service commands, load flags have no env vars: names such as
 * RATE, DATA or OUT are too common in CI environments to be read silently.
 */
export function addLoadFlags(cmd: Command): Command {
  for (const [key, field] of Object.entries(LOAD_FLAGS)) {
    cmd.option(`--${flagName(key)} ${field.placeholder}`, field.description);
  }
  return cmd;
}

/** "k:v" -> [k, v]; the value keeps any further colons (URLs, times). */
export function parseHeader(raw: string): [string, string] {
  const i = raw.indexOf(':');
  const name = i < 0 ? '' : raw.slice(0, i).trim();
  if (i < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new PeaklabError('PL_USAGE', `--header "${raw}": expected NAME:VALUE`);
  }
  return [name, raw.slice(i + 1).trim()];
}

/** The flags of one `peaklab load` invocation as library options. */
export function toLoadOptions(
  target: string,
  f: LoadFlags,
  headers: readonly string[],
  thresholds: readonly string[],
  templateBody = false,
): LoadOptions {
  const grpcGiven = f.proto !== undefined || f.call !== undefined;
  if (grpcGiven && (!f.proto || !f.call))
    throw new PeaklabError('PL_USAGE', 'gRPC needs both --proto and --call');
  if (f.data !== undefined && !grpcGiven)
    throw new PeaklabError(
      'PL_USAGE',
      '--data is the gRPC request; it needs --proto and --call (HTTP uses --body)',
    );
  const opts: LoadOptions = {
    target,
    headers: headers.map(parseHeader),
    timeoutMs: f.timeout,
    threads: f.threads,
  };
  const set = <K extends keyof LoadOptions>(k: K, v: LoadOptions[K] | undefined) => {
    if (v !== undefined) opts[k] = v;
  };
  set('rate', f.rate);
  set('vus', f.vus);
  // Passed on even with --rate, where resolveOptions refuses it rather than ignore it.
  set('thinkMs', f.think);
  set('durationMs', f.duration);
  set('requests', f.requests);
  set('connections', f.connections);
  set('maxInflight', f.maxInflight);
  set('method', f.method);
  set('body', f.body);
  set('okStatus', f.okStatus);
  set('maxRedirects', f.maxRedirects);
  set('jtl', f.jtl);
  set('errorsLog', f.errorsLog);
  set('scenario', f.scenario);
  set('flowTimeoutMs', f.flowTimeout);
  set('seed', f.seed);
  if (templateBody) opts.templateBody = true;
  if (thresholds.length > 0) opts.thresholds = [...thresholds];
  if (f.proto && f.call) opts.grpc = { proto: f.proto, call: f.call, data: f.data ?? '{}' };
  return opts;
}

/** "--var name=value" pairs as the scenario's `api.vars`; a name is a JavaScript identifier. */
export function parseVars(raw: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const r of raw) {
    const i = r.indexOf('=');
    const name = i < 0 ? '' : r.slice(0, i).trim();
    if (!/^[A-Za-z_$][\w$]*$/.test(name))
      throw new PeaklabError('PL_USAGE', `--var "${r}": expected NAME=VALUE`);
    vars[name] = r.slice(i + 1);
  }
  return vars;
}
