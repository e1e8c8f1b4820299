import { decode, forEachRecorded } from './histogram.js';
import { parseTarget } from './options.js';
import { JTL_HEADER, jtlLine } from './sinks.js';
import type { LoadResult, SecondStats } from './types.js';

function isOk(code: string): boolean {
  return code.startsWith('2') || code === 'OK';
}

/**
 * Rebuilds a JMeter CSV from a saved result. Each second keeps its exact request count, status
 * counts and latency distribution (HDR precision); which status went with which latency is not
 * saved, so the slowest requests of a second are paired with its failures. A live `--jtl` file
 * has the real per-request rows.
 */
export function renderJtl(result: LoadResult): string {
  const start = Date.parse(result.startedAt);
  // The same label as a live --jtl file: "METHOD /path" (the path as given, templates and all).
  const label = result.settings.grpc
    ? result.settings.grpc.call
    : `${result.settings.method ?? 'GET'} ${parseTarget(result.settings.target).path}`;
  const threads = result.settings.vus ?? result.settings.connections ?? 1;
  const lines = [JTL_HEADER];
  for (const sec of result.timeline)
    lines.push(...secondRows(sec, start, label, threads, result.settings.target));
  return `${lines.join('\n')}\n`;
}

function secondRows(sec: SecondStats, start: number, label: string, threads: number, url: string): string[] {
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
      jtlLine({
        startEpochMs: start + sec.second * 1000 + (i * 1000) / n - elapsed,
        elapsedMs: elapsed,
        label,
        code,
        ok,
        message: ok ? 'OK' : code,
        thread: 'peaklab',
        bytes: 0,
        sentBytes: 0,
        threads,
        url,
        latencyMs: elapsed,
      }),
    );
  }
  return rows;
}
