/**
 * `peaklab lab tickets-burst`: runs `serve tickets` twice under the same step burst (0 -> N -> 0)
 * from the load library with a corpus mix of tickets, once acknowledging after the parse (the
 * seed's way), once as soon as the raw body is durable, and writes report.html and results.json.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { corpusTicket } from '../../services/tickets/corpus.js';
import { PeaklabError } from '../../shared/errors.js';
import { analyzeMode } from './analysis.js';
import { answerBurst } from './answers.js';
import { type BurstResult, renderBurstReport } from './report.js';
import { burstProfile, runMode } from './run-mode.js';
import type { BurstSettings } from './settings.js';

export type { BurstResult } from './report.js';
export { burstOptions, readBurstSettings } from './settings.js';

/** Corpus seed: both modes, and every run, send the same tickets. */
const SEED = 11;

/**
 * Runs the experiment; resolves with the result and where its files are. `log` gets one line per
 * phase. Throws PL_LAB_FAILED when a run cannot complete, PL_INTERRUPTED when `signal` aborts.
 */
export async function runTicketsBurst(
  s: BurstSettings,
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ result: BurstResult; files: { report: string; results: string } }> {
  await mkdir(s.outDir, { recursive: true });
  const bodies = join(s.outDir, 'bodies.json');
  const list = Array.from({ length: s.corpusSize }, (_, i) => corpusTicket(SEED, i).body.toString('base64'));
  await writeFile(bodies, JSON.stringify(list));
  const startedAt = new Date().toISOString();
  const recordings = [];
  try {
    for (const mode of ['after-parse', 'durable'] as const) {
      log(`tickets-burst: --ack ${mode}: ${burstProfile(s)}`);
      try {
        recordings.push(await runMode(mode, s, bodies, env, signal));
      } catch (err) {
        if (signal.aborted) throw new PeaklabError('PL_INTERRUPTED', 'interrupted', { cause: err });
        throw new PeaklabError('PL_LAB_FAILED', `--ack ${mode}: ${String(err)}`, { cause: err });
      }
      if (signal.aborted) throw new PeaklabError('PL_INTERRUPTED', 'interrupted');
    }
  } finally {
    // The scratch data (a quick run leaves ~115 MB) is read by now; the report and results stay.
    if (!s.keep) await removeScratch(s.outDir);
  }
  const [late, early] = recordings.map((r) => analyzeMode(r, s)) as [
    ReturnType<typeof analyzeMode>,
    ReturnType<typeof analyzeMode>,
  ];
  const { databaseUrl, open: _open, ...kept } = s;
  const result: BurstResult = {
    schema: 'peaklab.lab.tickets-burst/v1',
    startedAt,
    settings: { ...kept, profile: burstProfile(s) },
    backend: databaseUrl
      ? `Postgres ${new URL(databaseUrl).host} (a schema per run): a row is durable once committed`
      : `embedded PGlite in ${s.outDir} (DATABASE_URL unset; ${s.keep ? 'kept' : 'removed after the run, --keep keeps it'}): rows survive a restart of the process`,
    modes: { 'after-parse': late, durable: early },
    answers: answerBurst(early, late, s),
  };
  const files = { report: join(s.outDir, 'report.html'), results: join(s.outDir, 'results.json') };
  await writeFile(files.results, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.report, renderBurstReport(result));
  return { result, files };
}

/** The files a run writes besides its report and results: the body list and each mode's PGlite. */
export const SCRATCH = ['bodies.json', 'pglite-after-parse', 'pglite-durable'] as const;

async function removeScratch(outDir: string): Promise<void> {
  await Promise.all(SCRATCH.map((f) => rm(join(outDir, f), { recursive: true, force: true })));
}
