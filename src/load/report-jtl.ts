import { decode, forEachRecorded } from './histogram.js';
import { isOkStatus, okTable } from './ok-status.js';
import { parseTarget } from './options.js';
import {
  DROPPED,
  DROPPED_MESSAGE,
  JTL_HEADER,
  type JtlConstants,
  jtlConstants,
  jtlLine,
  reasonPhrase,
  UNFINISHED,
  UNFINISHED_MESSAGE,
} from './sinks.js';
import type { LoadResult, SecondStats } from './types.js';

type IsOk = (code: string) => boolean;

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
 *   whole run, so the rebuilt file repeats the elapsed time;
 * - an error's message: the result keeps its kind, so the kind is the message.
 * Like the live file, it has one row per scheduled request: dropped and unfinished ones included.
 */
export function renderJtl(result: LoadResult): string {
  const start = Date.parse(result.startedAt);
  const settings = result.settings;
  // The same label as the live file: "METHOD /path" (the path as given, templates and all).
  const method = (settings.method ?? (settings.body === undefined ? 'GET' : 'POST')).toUpperCase();
  // A scenario's live file labels flows "flow FILE" (its step rows are not in the saved result).
  const label = settings.scenario
    ? `flow ${settings.scenario}`
    : settings.grpc
      ? settings.grpc.call
      : `${method} ${parseTarget(settings.target).path}`;
  const threads = settings.model === 'closed' ? (settings.vus ?? 1) : (settings.connections ?? 1);
  const workers = Math.max(1, settings.threads ?? 1);
  const constants = Array.from({ length: workers }, (_, i) =>
    jtlConstants(label, `peaklab ${i + 1}-${workers}`, threads, settings.target),
  );
  const protocol = settings.grpc ? 'grpc' : 'http';
  // Files from before --ok-status counted 2xx (gRPC: OK) as ok.
  const table = okTable(settings.okStatus ?? (protocol === 'http' ? '2xx' : 'OK'), protocol);
  const isOk: IsOk = (code) => isOkStatus(table, protocol, code);
  const lines = [JTL_HEADER];
  for (const sec of result.timeline) {
    const first = lines.length - 1;
    const rows = secondRows(
      sec,
      start,
      isOk,
      protocol,
      (i) => constants[(first + i) % workers] as JtlConstants,
    );
    for (const line of rows) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** `total` split over `n` rows so the parts sum to it exactly. */
function part(total: number, n: number, i: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

function secondRows(
  sec: SecondStats,
  start: number,
  isOk: IsOk,
  protocol: 'http' | 'grpc',
  constantsOf: (i: number) => JtlConstants,
): string[] {
  const latencies: number[] = [];
  if (sec.latencyHdr)
    forEachRecorded(decode(sec.latencyHdr), (us, c) => {
      for (let i = 0; i < c; i++) latencies.push(us / 1000);
    });
  // Completed requests first, failures paired with the slowest latencies; then the requests with
  // no response time: unfinished, and dropped (never sent).
  const errors = new Set(Object.keys(sec.errors));
  const codes: string[] = [];
  const entries = [...Object.entries(sec.status), ...Object.entries(sec.errors)].sort(
    ([a], [b]) => Number(!errors.has(a) && isOk(a)) - Number(!errors.has(b) && isOk(b)),
  );
  for (const [code, c] of entries) for (let i = 0; i < c; i++) codes.push(code);
  for (let i = 0; i < (sec.unfinished ?? 0); i++) codes.push(UNFINISHED);
  for (let i = 0; i < sec.dropped; i++) codes.push(DROPPED);
  latencies.sort((a, b) => b - a);
  const n = Math.max(latencies.length, codes.length);
  const withBytes = sec.completed > 0 ? sec.completed : n;
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const elapsed = latencies[i] ?? 0;
    const code = codes[i] ?? '200';
    const error = errors.has(code);
    const ok = !error && code !== UNFINISHED && code !== DROPPED && isOk(code);
    const message =
      code === DROPPED
        ? DROPPED_MESSAGE
        : code === UNFINISHED
          ? UNFINISHED_MESSAGE
          : error
            ? code
            : reasonPhrase(protocol, code);
    const carries = i < withBytes;
    rows.push(
      jtlLine(constantsOf(i), {
        startEpochMs: start + sec.second * 1000 + (i * 1000) / n - elapsed,
        elapsedMs: elapsed,
        code,
        ok,
        message,
        bytes: carries ? part(sec.bytesIn ?? 0, withBytes, i) : 0,
        sentBytes: carries ? part(sec.bytesOut ?? 0, withBytes, i) : 0,
        latencyMs: elapsed,
      }),
    );
  }
  return rows;
}
