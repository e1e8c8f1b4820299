import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { PeaklabError } from '../../shared/errors.js';

/**
 * Creates the stream, or checks an existing one (another process may have made it, or an operator
 * with other settings): the guarantees a service logs must be the ones the stream really has.
 * Throws PL_CONFIG_INVALID naming every setting that falls short; rejects with the client's error
 * when JetStream cannot be asked at all.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  want: Partial<StreamConfig> & { name: string; subjects: string[] },
): Promise<void> {
  try {
    await jsm.streams.add(want);
    return;
  } catch (err) {
    // Same name, other settings: JetStream refuses the add. Anything else: the info fails too.
    const info = await jsm.streams.info(want.name).catch(() => {
      throw err;
    });
    const problems = streamMismatches(want, info.config);
    if (problems.length > 0) {
      throw new PeaklabError(
        'PL_CONFIG_INVALID',
        `JetStream stream ${want.name} already exists with ${problems.join(', ')}; ` +
          'delete it (nats stream rm) or pick another --stream',
      );
    }
  }
}

/** What an existing stream lacks of the settings our guarantees rest on; empty if nothing. */
export function streamMismatches(want: Partial<StreamConfig>, have: StreamConfig): string[] {
  const problems: string[] = [];
  if (want.retention !== undefined && have.retention !== want.retention) {
    problems.push(`retention=${have.retention} (need ${want.retention})`);
  }
  if (want.storage !== undefined && have.storage !== want.storage) {
    problems.push(`storage=${have.storage} (need ${want.storage})`);
  }
  // A longer window dedupes more, so only a shorter one weakens the guarantee.
  if (want.duplicate_window !== undefined && (have.duplicate_window ?? 0) < want.duplicate_window) {
    problems.push(
      `duplicate_window=${(have.duplicate_window ?? 0) / 1e9}s (need at least ${want.duplicate_window / 1e9}s)`,
    );
  }
  for (const subject of want.subjects ?? []) {
    if (!(have.subjects ?? []).some((filter) => subjectMatches(filter, subject))) {
      problems.push(`subjects that do not cover ${subject}`);
    }
  }
  return problems;
}

/** NATS subject matching: `*` is one token, a trailing `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}
