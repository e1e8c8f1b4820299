/**
 * Runs `hey` (the Debian package, /usr/bin/hey) and reads its text summary: for the burst test and
 * bench/tickets.ts, which compare with the seed's own `hey` numbers.
 */
import { execFile } from 'node:child_process';

export const HEY = '/usr/bin/hey';

export interface HeyRun {
  /** POST target. */
  readonly url: string;
  readonly requests: number;
  readonly concurrency: number;
  /** The body file (-D), sent as text/plain. */
  readonly bodyFile: string;
  /** Per-request timeout in seconds (hey's -t; default 20). */
  readonly timeoutS?: number;
}

export interface HeyResult {
  readonly requestsPerSecond: number;
  /** Latency percentiles in ms; NaN when hey printed none (too few requests). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly slowestMs: number;
  /** Responses by HTTP status. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Requests that got no response (connection errors, timeouts). */
  readonly errors: number;
  /** The command line, for reports. */
  readonly command: string;
}

/** Runs hey to completion; rejects when it cannot run or prints no summary. */
export function runHey(run: HeyRun): Promise<HeyResult> {
  const args = [
    '-n',
    String(run.requests),
    '-c',
    String(run.concurrency),
    '-t',
    String(run.timeoutS ?? 20),
    '-m',
    'POST',
    '-T',
    'text/plain',
    '-D',
    run.bodyFile,
    run.url,
  ];
  return new Promise((resolve, reject) => {
    execFile(HEY, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      try {
        resolve({ ...parseHey(stdout), command: `hey ${args.join(' ')}` });
      } catch (parseErr) {
        reject(parseErr);
      }
    });
  });
}

/** hey's text summary as numbers; throws when there is no `Requests/sec` line. */
export function parseHey(text: string): Omit<HeyResult, 'command'> {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!rps) throw new Error(`hey printed no summary:\n${text.slice(0, 500)}`);
  const pct = (p: number) => {
    const m = new RegExp(`\\b${p}% in ([\\d.]+) secs`).exec(text);
    const v = m ? Number(m[1]) * 1000 : Number.NaN;
    return v > 0 ? v : Number.NaN;
  };
  const slowest = /Slowest:\s+([\d.]+) secs/.exec(text);
  const statuses = new Map<number, number>();
  const codes = text.split('Status code distribution:')[1]?.split('Error distribution:')[0] ?? '';
  for (const m of codes.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) statuses.set(Number(m[1]), Number(m[2]));
  let errors = 0;
  for (const m of (text.split('Error distribution:')[1] ?? '').matchAll(/^\s+\[(\d+)\]/gm))
    errors += Number(m[1]);
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: pct(50),
    p99Ms: pct(99),
    slowestMs: slowest ? Number(slowest[1]) * 1000 : Number.NaN,
    statuses,
    errors,
  };
}
