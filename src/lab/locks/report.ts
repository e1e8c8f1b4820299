import type { Chart, Section } from '../../report/mod.js';
import { escapeHtml, renderHtmlReport, renderTable } from '../../report/mod.js';
import type { Mode } from '../../services/counter/ports.js';
import type { LockStep, LockStore, LocksResult } from './types.js';

const COLOR: Readonly<Record<Mode, string>> = {
  mutex: '#2563eb',
  inputq: '#16a34a',
  atomic: '#7c3aed',
  unsafe: '#dc2626',
};

function chart(
  result: LocksResult,
  store: LockStore,
  id: string,
  title: string,
  yLabel: string,
  value: (s: LockStep) => number,
  modes: readonly Mode[] = result.settings.modes,
  kind: 'line' | 'bars' = 'line',
): Chart {
  const x = result.settings.vus;
  return {
    id: `${id}-${store}`,
    title: `${title} (${store})`,
    x,
    xLabel: 'virtual users',
    yLabel,
    series: modes.map((mode) => ({
      label: mode,
      color: COLOR[mode],
      kind,
      values: x.map((vus) => {
        const s = result.steps.find((t) => t.mode === mode && t.store === store && t.vus === vus);
        return s === undefined ? null : value(s);
      }),
    })),
  };
}

function setup(result: LocksResult): string {
  const s = result.settings;
  const e = result.environment;
  const lines = [
    `Service: peaklab serve counter, one process per mode and store; each increment is a read, an await, a write ` +
      `(memory: ${s.ioUs} µs of simulated I/O, which ends on the next 1 ms timer tick; redis: GET then SET on ${s.redisUrl}).`,
    `Load: peaklab load's closed model over gRPC (counter.incrementCounter/increment, value 1), the same for every mode: ` +
      `${s.vus.join(', ')} virtual users, ${s.stepMs / 1000} s per step, one HTTP/2 connection per 100 users.`,
    `Correctness: the counter's own total (counter_value) is read before and after each step; "applied" is the ` +
      `difference, compared with the calls the load generator saw answered OK.`,
    `Machine: Node ${e.node}, ${e.cores} cores, load average ${e.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')} ` +
      `before and ${e.loadAverageAfter.map((l) => l.toFixed(2)).join(' ')} after; started ${result.startedAt}.`,
  ];
  return `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
}

function table(result: LocksResult): string {
  return renderTable({
    className: 'compact',
    head: [
      'store',
      'mode',
      'VUs',
      'it/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'OK',
      'failed',
      'applied',
      'lost',
      'exact',
    ],
    rows: result.steps.map((s) => [
      s.store,
      s.mode,
      s.vus,
      Math.round(s.throughput),
      s.p50,
      s.p95,
      s.p99,
      s.ok,
      s.failed,
      s.applied,
      s.lost,
      s.exact ? 'yes' : 'NO',
    ]),
  });
}

/** report.html: the answers, the steps, and throughput, latency and lost updates against VUs. */
export function renderLocksReport(result: LocksResult): string {
  const stores = result.settings.stores;
  const pair = (make: (store: LockStore) => Chart): Section['charts'] => stores.map(make);
  const columns = stores.length > 1 ? (2 as const) : (1 as const);
  const sections: Section[] = [
    { title: 'The experiment', html: setup(result) },
    {
      title: "The seed's question for Node, answered from this run",
      html: result.answers
        .map((a) => `<h3>${escapeHtml(a.question)}</h3><p>${escapeHtml(a.answer)}</p>`)
        .join(''),
    },
    {
      title: 'Throughput vs virtual users',
      columns,
      charts: pair((st) =>
        chart(result, st, 'throughput', 'Increments answered OK per second', 'it/s', (s) => s.throughput),
      ),
    },
    {
      title: 'Latency vs virtual users',
      columns,
      charts: [
        ...(pair((st) => chart(result, st, 'p99', 'p99 latency', 'ms', (s) => s.p99)) ?? []),
        ...(pair((st) => chart(result, st, 'p50', 'p50 latency', 'ms', (s) => s.p50)) ?? []),
      ],
    },
    {
      title: 'Correctness: acknowledged increments the counter does not hold',
      columns,
      html: '<p class="note">lost = OK responses − the rise of the counter. Only unsafe may lose updates.</p>',
      charts: pair((st) =>
        chart(
          result,
          st,
          'lost',
          'Lost updates per step',
          'increments',
          (s) => s.lost,
          result.settings.modes,
          'bars',
        ),
      ),
    },
    { title: 'Every step', html: table(result) },
  ];
  return renderHtmlReport({
    title: 'peaklab lab locks: mutex vs inputq vs atomic vs unsafe over gRPC',
    subtitle: `${stores.join(' and ')} store, ${result.startedAt}`,
    sections,
  });
}
