import { decode, forEachRecorded } from './histogram.js';
import { parseTarget } from './options.js';
import { JTL_HEADER, type JtlConstants, jtlConstants, jtlLine } from './sinks.js';
import type { LoadResult, SecondStats } from './types.js';

function isOk(code: string): boolean {
  return code.startsWith('2') || code === 'OK';
}

/**
 * Rebuilds a JMeter CSV from a saved result, with the live `--jtl` file's label, URL, thread names
 * ("peaklab 1-1", or "peaklab i-n" with --threads n, rows taken in turn) and thread counts. Each
 * second keeps its exact request count, status counts, bytes and latency distribution (HDR
 * precision). What the result does not save per request is approximated, and only that:
 * - which status went with which latency: the slowest requests of a second get its failures;
 * - start times: requests are spread evenly over the second in which they completed;
 * - bytes: each second's totals are split evenly over its rows (older files without per-second
 *   bytes give 0);
 * - the Latency column: the live file puts the service time there, which is saved only for the
 *   whole run, so the rebuilt file repeats the elapsed time.
 */
export function renderJtl(result: LoadResult): string {
  const start = Date.parse(result.startedAt);
  const settings = result.settings;
  // The same label as the live file: "METHOD /path" (the path as given, templates and all).
  const method = (settings.method ?? (settings.body === undefined ? 'GET' : 'POST')).toUpperCase();
  const label = settings.grpc ? settings.grpc.call : `${method} ${parseTarget(settings.target).path}`;
  const threads = settings.model === 'closed' ? (settings.vus ?? 1) : (settings.connections ?? 1);
  const workers = Math.max(1, settings.threads ?? 1);
  const constants = Array.from({ length: workers }, (_, i) =>
    jtlConstants(label, `peaklab ${i + 1}-${workers}`, threads, settings.target),
  );
  const lines = [JTL_HEADER];
  for (const sec of result.timeline) {
    const first = lines.length - 1;
    const rows = secondRows(sec, start, (i) => constants[(first + i) % workers] as JtlConstants);
    for (const line of rows) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** `total` split over `n` rows so the parts sum to it exactly. */
function part(total: number, n: number, i: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

function secondRows(sec: SecondStats, start: number, constantsOf: (i: number) => JtlConstants): string[] {
  const latencies: number[] = [];
  if (sec.latencyHdr)
    forEachRecorded(decode(sec.latencyHdr), (us, c) => {
      for (let i = 0; i < c; i++) latencies.push(us / 1000);
    });
  // Failures first, paired with the slowest latencies.
  const codes: string[] = [];
  const entries = [...Object.entries(sec.status), ...Object.entries(sec.errors)].sort(
    ([a], [b]) => Number(isOk(a)) - Number(isOk(b)),
  );
  for (const [code, c] of entries) for (let i = 0; i < c; i++) codes.push(code);
  latencies.sort((a, b) => b - a);
  const n = Math.max(latencies.length, codes.length);
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const elapsed = latencies[i] ?? 0;
    const code = codes[i] ?? '200';
    const ok = isOk(code);
    rows.push(
      jtlLine(constantsOf(i), {
        startEpochMs: start + sec.second * 1000 + (i * 1000) / n - elapsed,
        elapsedMs: elapsed,
        code,
        ok,
        message: ok ? 'OK' : code,
        bytes: part(sec.bytesIn ?? 0, n, i),
        sentBytes: part(sec.bytesOut ?? 0, n, i),
        latencyMs: elapsed,
      }),
    );
  }
  return rows;
}
