import { performance } from 'node:perf_hooks';
import { describeError } from '../../shared/errors.js';
import { seededRandom } from '../../shared/seeded-random.js';
import { firstLine, type JtlRow, reasonPhrase } from '../sinks.js';
import { type Done, EXCERPT_BYTES, Exchange, type Transport } from '../transport.js';
import { type PendingStep, STEP_BODY_BYTES, type StepClient } from './step-client.js';
import type { StepRecorder, StepStats } from './step-stats.js';
import type { ScenarioApi, ScenarioFn, StepOptions, StepResponse } from './types.js';

/** Error kinds of flows, besides the transport's ("timeout", "econnrefused", ...). */
export const FLOW_ERRORS = {
  /** The scenario function threw (or rejected) something that is not a step's error. */
  scenario: 'scenario_error',
  /** The flow ran longer than --flow-timeout. */
  flowTimeout: 'flow_timeout',
} as const;

/** A step that ended without a response; a scenario may catch it and carry on. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    /** "timeout", "econnrefused", "closed", "flow_timeout", ... */
    readonly kind: string,
    detail: string,
  ) {
    super(`step ${step}: ${kind}${detail ? ` (${detail})` : ''}`);
    this.name = 'StepError';
  }
}

/** A flow has ended (its timeout, or the run's end): its later steps are refused, not sent. */
class FlowOver extends Error {
  constructor() {
    super('this flow has already ended (flow timeout or the end of the run)');
  }
}

export interface FlowSettings {
  fn: ScenarioFn;
  client: StepClient;
  stats: StepStats;
  flowTimeoutMs: number;
  vars: Readonly<Record<string, string>>;
  seed: number;
  label: string;
  /** The run's named counters (api.count). */
  counters: Record<string, number>;
  /** Each step call's outcome as a --jtl row labelled with the step's name (unset: no rows). */
  sample?: (step: string, row: JtlRow) => void;
}

/** Named counters per run: like step names, a name per id would grow without end. */
const MAX_COUNTERS = 1000;

/** A per-flow generator (mulberry32), seeded from the run's seed and the flow number. */
function generator(seed: number, flow: number): () => number {
  return seededRandom(seed ^ Math.imul(flow + 1, 0x9e3779b9));
}

/** Header fields as a record by name; repeated fields joined with ", ". No prototype: a field named "__proto__" is just a field. */
function headerRecord(fields: ReadonlyArray<[string, string]> | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of fields ?? []) out[k] = k in out ? `${out[k]}, ${v}` : v;
  return out;
}

/** A step call's --jtl row: timed from its call (`calledMs`) to `endMs`, performance.now() ms. */
function stepRow(
  x: Exchange,
  calledMs: number,
  endMs: number,
  code: string,
  ok: boolean,
  message: string,
): JtlRow {
  return {
    startEpochMs: performance.timeOrigin + calledMs,
    elapsedMs: endMs - calledMs,
    code,
    ok,
    message,
    bytes: x.bytesIn,
    sentBytes: x.bytesOut,
    latencyMs: x.sent ? endMs - x.sent : 0,
  };
}

function toBody(body: unknown, headers: [string, string][]): Buffer | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type'))
    headers.push(['content-type', 'application/json']);
  return Buffer.from(JSON.stringify(body));
}

/** One running flow: its exchange (the engine's view), its step in progress and its outcome. */
class Flow {
  over = false;
  /** Each step's last attempt that had a status (a retried step counts by its last attempt). */
  readonly last = new Map<string, { ok: boolean; status: string; excerpt: string }>();
  current: { pending: PendingStep; step: StepRecorder; name: string; reject: (e: Error) => void } | undefined;
  prev: Flow | undefined = undefined;
  next: Flow | undefined = undefined;

  constructor(
    readonly x: Exchange,
    readonly done: Done,
    readonly deadline: number,
  ) {}
}

/**
 * Runs scenario flows as the engine's exchanges: the engine schedules, caps and accounts flows
 * exactly as it does single requests (one outcome per flow), and this transport runs each flow's
 * function. A flow is ok when its function resolves and the last attempt of each of its steps had an
 * ok status (a retried step counts by its last attempt); else its status is "<step>:<status>" (the
 * first such step), or its error is a step's transport error kind, "scenario_error" (the function
 * threw) or "flow_timeout".
 */
export function createFlowTransport(s: FlowSettings): Transport & { unfinishedSteps(now: number): void } {
  let flying: Flow | undefined;
  const unlink = (f: Flow) => {
    if (f.prev) f.prev.next = f.next;
    else flying = f.next;
    if (f.next) f.next.prev = f.prev;
    f.prev = undefined;
    f.next = undefined;
  };

  const end = (f: Flow, status: string, error: string, excerpt: string) => {
    if (f.over) return;
    f.over = true;
    unlink(f);
    const x = f.x;
    x.status = error === '' ? status : '';
    x.error = error;
    x.ok = error === '' && status === 'ok';
    x.excerpt = excerpt.slice(0, EXCERPT_BYTES);
    f.done(x);
  };

  const finishFlow = (f: Flow, err: unknown) => {
    if (err === undefined) {
      for (const [name, l] of f.last) {
        if (!l.ok) {
          end(f, `${name}:${l.status}`, '', `${name}: ${l.status} ${l.excerpt}`);
          return;
        }
      }
      end(f, 'ok', '', '');
    } else if (err instanceof StepError) end(f, '', err.kind, err.message);
    else end(f, '', FLOW_ERRORS.scenario, describeError(err));
  };

  // Flow timeouts: one sweep, like the request timeout. A timed-out flow's step ends too.
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (let f = flying; f; ) {
      const nextFlow = f.next;
      if (f.deadline <= now) {
        const c = f.current;
        if (c) {
          c.pending.over = true;
          f.current = undefined;
          s.stats.completed(
            c.step,
            {
              status: '',
              error: FLOW_ERRORS.flowTimeout,
              ok: false,
              calledMs: c.pending.x.intended,
              sentMs: c.pending.x.sent || undefined,
            },
            now,
          );
          const cut = `the flow took longer than ${s.flowTimeoutMs} ms`;
          const x = c.pending.x;
          s.sample?.(c.name, stepRow(x, x.intended, now, FLOW_ERRORS.flowTimeout, false, cut));
        }
        end(f, '', FLOW_ERRORS.flowTimeout, `the flow took longer than ${s.flowTimeoutMs} ms`);
        // The scenario's await of that step ends too (its finally blocks run; later steps are refused).
        c?.reject(new StepError(c.name, FLOW_ERRORS.flowTimeout, ''));
      }
      f = nextFlow;
    }
  }, 50);
  sweeper.unref();

  const step = (f: Flow, method: string, path: string, o: StepOptions = {}): Promise<StepResponse> => {
    if (f.over) return Promise.reject(new FlowOver());
    if (f.current)
      return Promise.reject(new Error('a flow runs one step at a time: await each step before the next'));
    const name = o.name ?? `${method.toUpperCase()} ${path.split('?')[0]}`;
    const rec = s.stats.step(name);
    if (!rec) return Promise.reject(new Error('more than 100 step names: give steps a name ({ name })'));
    let built: ReturnType<StepClient['build']>;
    try {
      const headers: [string, string][] = Object.entries(o.headers ?? {}).map(([k, v]) => [k, String(v)]);
      built = s.client.build({ method, path, headers, body: toBody(o.body, headers) });
    } catch (err) {
      return Promise.reject(err);
    }
    const ok = o.ok ? new Set(o.ok) : undefined;
    const now = performance.now();
    const x = new Exchange(f.x.seq, s.stats.secondAt(now));
    x.intended = now;
    s.stats.started(rec, now);
    return new Promise<StepResponse>((resolve, reject) => {
      const pending: PendingStep = {
        x,
        data: built.data,
        head: built.head,
        over: false,
        done: (r) => {
          f.current = undefined;
          const at = performance.now();
          const stepOk = r.error === '' && (ok ? ok.has(Number(r.status)) : r.ok);
          s.stats.completed(
            rec,
            { status: r.status, error: r.error, ok: stepOk, calledMs: now, sentMs: r.sent },
            at,
          );
          const message = r.error ? firstLine(r.excerpt) : reasonPhrase('http', r.status);
          s.sample?.(name, stepRow(r, now, at, r.error || r.status, stepOk, message));
          if (r.error !== '') {
            reject(new StepError(name, r.error, r.excerpt));
            return;
          }
          const bytes = r.body ?? Buffer.alloc(0);
          const text = bytes.toString('utf8');
          f.last.set(name, { ok: stepOk, status: r.status, excerpt: stepOk ? '' : text.slice(0, 200) });
          resolve({
            name,
            status: Number(r.status),
            ok: stepOk,
            text,
            truncated: r.bytesIn > STEP_BODY_BYTES,
            headers: headerRecord(r.headers),
            json: <T>() => JSON.parse(text) as T,
            ms: at - now,
          });
        },
      };
      f.current = { pending, step: rec, name, reject };
      s.client.send(pending);
    });
  };

  const apiFor = (f: Flow): ScenarioApi => {
    const random = generator(s.seed, f.x.seq);
    return {
      flow: f.x.seq,
      vars: s.vars,
      count: (name, by = 1) => {
        // A flow that already ended counts nothing more, as it sends nothing more.
        if (f.over || !Number.isFinite(by)) return;
        if (!(name in s.counters) && Object.keys(s.counters).length >= MAX_COUNTERS) return;
        s.counters[name] = (s.counters[name] ?? 0) + by;
      },
      random,
      randomInt: (min, max) => Math.floor(min + random() * (Math.floor(max) - Math.ceil(min) + 1)),
      sleep: (ms) =>
        new Promise((resolve) => {
          setTimeout(resolve, Math.max(0, Math.min(ms, s.flowTimeoutMs))).unref();
        }),
      request: (method, path, o) => step(f, method, path, o),
      get: (path, o) => step(f, 'GET', path, o),
      post: (path, o) => step(f, 'POST', path, o),
      put: (path, o) => step(f, 'PUT', path, o),
      patch: (path, o) => step(f, 'PATCH', path, o),
      delete: (path, o) => step(f, 'DELETE', path, o),
    };
  };

  return {
    // Flows do not hold a connection between steps: their cap is --max-inflight, not connections.
    capacity: Number.MAX_SAFE_INTEGER,
    label: s.label,
    send(x, done) {
      const f = new Flow(x, done, x.sent + s.flowTimeoutMs);
      f.next = flying;
      if (flying) flying.prev = f;
      flying = f;
      let result: unknown;
      try {
        result = s.fn(apiFor(f));
      } catch (err) {
        queueMicrotask(() => finishFlow(f, err));
        return;
      }
      Promise.resolve(result).then(
        () => finishFlow(f, undefined),
        (err: unknown) => finishFlow(f, err),
      );
    },
    /** The run ended: flows in flight are the engine's (unfinished); their steps are counted here. */
    unfinishedSteps(now: number) {
      for (let f = flying; f; f = f.next) {
        f.over = true;
        const c = f.current;
        if (c && !c.pending.over) {
          c.pending.over = true;
          s.stats.unfinished(c.step, now);
        }
      }
      flying = undefined;
    },
    async close() {
      clearInterval(sweeper);
      this.unfinishedSteps(performance.now());
      s.client.close();
    },
  };
}
