/**
 * LabPorts for orchestration tests: each "service" is a small HTTP server in this process that serves
 * /metrics from counters the fake load moves, so the real scraper, drain watch and analysis run on it.
 * Its backlog probe reads the same depth as its /metrics; with a NATS URL it acts as a durable queue
 * (readable after the stop), else as an in-process one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadOptions, LoadResult } from '../load/types.js';
import { latency } from './fixtures.testing.js';
import type { BacklogProbe, LabPorts, ServiceHandle } from './ports.js';
import type { LabMode, OrderTiming } from './types.js';

/** How one mode's fake service and load behave. */
export interface FakeBehavior {
  /** Requests per fake load; shed admits `admit` of them. */
  sent?: number;
  admit?: number;
  loadMs?: number;
  /** Queue mode: orders still queued when the load returns (default 0); they have no rows yet. */
  backlogAfterLoad?: number;
  /** ...and are all processed this long after the load ended, if the service still runs (default 0). */
  drainMs?: number;
  /**
   * For this long after the load ended, the reported depth reads 0 while the backlog is not empty:
   * the stale sample of a gauge the service refreshes once a second.
   */
  staleZeroMs?: number;
  /** Exit with this code halfway through the load, as a crash would. */
  crashDuringLoad?: number;
  /** The exit code stop() reports (0: a clean shutdown). */
  stopCode?: number;
  /** The backlog probe fails: to open, at every read, or only after the service stopped. */
  probeFails?: 'open' | 'read' | 'afterStop';
  /** Called once the load has started: lets a test abort at a chosen moment. */
  onLoadStart?: () => void;
}

export class FakeService implements ServiceHandle {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  running = true;
  sent = 0;
  http: Record<string, number> = {};
  done = 0;
  error = 0;
  depth = 0;
  admitted = 0;
  loadEndedAt: number | null = null;
  stoppedAt: number | null = null;
  acceptedAt = 0;
  #exit: (code: number | null) => void = () => {};

  private constructor(
    readonly mode: LabMode,
    readonly dataDir: string,
    readonly behavior: FakeBehavior,
    readonly server: Server,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
  }

  static async start(mode: LabMode, dataDir: string, behavior: FakeBehavior): Promise<FakeService> {
    let svc: FakeService | undefined;
    const server = createServer((req, res) => {
      if (req.url !== '/metrics' || !svc) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(svc.metricsText());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    svc = new FakeService(mode, dataDir, behavior, server, `http://127.0.0.1:${port}`);
    svc.output.push(`{"event":"listening","mode":"${mode}"}`);
    return svc;
  }

  metricsText(): string {
    const lines = Object.entries(this.http).map(
      ([status, n]) => `http_requests_total{method="POST",route="/orders",status="${status}"} ${n}`,
    );
    lines.push(
      `work_done_total{status="done"} ${this.done}`,
      `work_done_total{status="error"} ${this.error}`,
    );
    lines.push(`orders_queue_depth ${this.reportedDepth()}`, 'orders_inflight 0');
    return `${lines.join('\n')}\n`;
  }

  /** Ms since the load ended, frozen at the stop (nothing is processed after it); null during the load. */
  #sinceLoadEnd(): number | null {
    return this.loadEndedAt === null ? null : (this.stoppedAt ?? Date.now()) - this.loadEndedAt;
  }

  /** Orders queued and not yet processed. */
  backlog(): number {
    const t = this.#sinceLoadEnd();
    if (t === null) return this.depth;
    return t >= (this.behavior.drainMs ?? 0) ? 0 : (this.behavior.backlogAfterLoad ?? 0);
  }

  /** What /metrics and the probe say: the backlog, except during a stale zero after the load. */
  reportedDepth(): number {
    const t = this.#sinceLoadEnd();
    if (t !== null && t < (this.behavior.staleZeroMs ?? 0)) return 0;
    return this.backlog();
  }

  /** A row for every admitted order that has been processed. */
  timings(): OrderTiming[] {
    const processed = this.loadEndedAt === null ? 0 : this.admitted - this.backlog();
    return Array.from({ length: processed }, (_, i) => ({
      id: `o${i}`,
      acceptedAt: this.acceptedAt,
      processedAt: this.acceptedAt + 5,
    }));
  }

  /** The process ends with `code`: its port closes and `exited` resolves. */
  end(code: number | null): Promise<number | null> {
    if (this.running) {
      this.running = false;
      this.stoppedAt = Date.now();
      this.server.close();
      this.server.closeAllConnections();
      this.#exit(code);
    }
    return this.exited;
  }

  stop(): Promise<number | null> {
    return this.end(this.behavior.stopCode ?? 0);
  }
}

function loadResult(opts: LoadOptions, svc: FakeService, sent: number, interrupted: boolean): LoadResult {
  const status = { ...svc.http };
  const ok = status['200'] ?? 0;
  const counts = { scheduled: sent, started: sent, completed: sent, dropped: 0, late: 0 };
  return {
    schema: 'peaklab.load-result/v1',
    settings: { ...opts, model: 'open' },
    startedAt: new Date().toISOString(),
    summary: {
      durationMs: svc.behavior.loadMs ?? 300,
      ...counts,
      ok,
      failed: sent - ok,
      errorRate: sent ? (sent - ok) / sent : 0,
      targetRate: sent,
      achievedRate: sent,
      status,
      errors: {},
      bytesIn: 0,
      bytesOut: 0,
    },
    latency: latency(5, 20, 30),
    serviceTime: latency(4, 18, 28),
    timeline: [
      { second: 0, target: sent, ...counts, status, errors: {}, p50Ms: 5, p90Ms: 9, p99Ms: 20, maxMs: 30 },
    ],
    ...(interrupted ? { interrupted } : {}),
  };
}

/** Reads the fake's reported depth; a durable one (as JetStream) still answers after the stop. */
function fakeProbe(svc: FakeService, durable: boolean): BacklogProbe {
  return {
    source: durable ? 'fake durable queue' : 'fake in-process queue',
    durable,
    async read() {
      const fails = svc.behavior.probeFails;
      if (fails === 'read' || (fails === 'afterStop' && !svc.running)) throw new Error('fake: no answer');
      if (!svc.running && !durable) throw new Error('the service has stopped');
      return svc.reportedDepth();
    },
    async close() {},
  };
}

export interface FakeLab {
  ports: LabPorts;
  /** Every service started, in order. */
  services: FakeService[];
  loads: LabMode[];
}

/** Fake ports; `behave` sets each mode's behaviour (defaults: a clean, quick run). */
export function fakeLab(behave: Partial<Record<LabMode, FakeBehavior>> = {}): FakeLab {
  const services: FakeService[] = [];
  const loads: LabMode[] = [];
  const byUrl = (url: string) => services.find((s) => url.startsWith(s.url));
  const ports: LabPorts = {
    async startService(args) {
      const mode = args[args.indexOf('--mode') + 1] as LabMode;
      const svc = await FakeService.start(
        mode,
        args[args.indexOf('--data-dir') + 1] ?? '',
        behave[mode] ?? {},
      );
      services.push(svc);
      return svc;
    },
    async runLoad(opts, hooks) {
      const svc = byUrl(opts.target);
      if (!svc) throw new Error(`no fake service at ${opts.target}`);
      loads.push(svc.mode);
      const { sent = 100, admit = svc.mode === 'shed' ? 80 : 100, loadMs = 300 } = svc.behavior;
      svc.behavior.onLoadStart?.();
      const stopped = (ms: number) => sleep(ms, false, { signal: hooks.signal }).catch(() => true);
      if (await stopped(loadMs / 2)) return loadResult(opts, svc, 0, true);
      if (svc.behavior.crashDuringLoad !== undefined) {
        svc.output.push('fake: boom');
        void svc.end(svc.behavior.crashDuringLoad);
      }
      svc.http = { '200': admit, ...(sent > admit ? { '500': sent - admit } : {}) };
      svc.done = admit;
      svc.error = svc.mode === 'shed' ? sent - admit : 0;
      svc.depth = svc.mode === 'queue' ? admit : 0;
      svc.admitted = admit;
      svc.acceptedAt = Date.now();
      hooks.onSecond?.(loadResult(opts, svc, sent, false).timeline[0] as LoadResult['timeline'][number]);
      if (await stopped(loadMs / 2)) return loadResult(opts, svc, sent, true);
      svc.depth = 0;
      svc.loadEndedAt = Date.now();
      return loadResult(opts, svc, sent, false);
    },
    async openBacklogProbe({ natsUrl, metricsUrl }) {
      const svc = byUrl(metricsUrl);
      if (!svc) throw new Error(`no fake service at ${metricsUrl}`);
      if (svc.behavior.probeFails === 'open') throw new Error('fake: NATS is down');
      return fakeProbe(svc, natsUrl !== undefined);
    },
    async readTimings({ dataDir }) {
      return services.find((s) => s.dataDir === dataDir)?.timings() ?? [];
    },
  };
  return { ports, services, loads };
}
