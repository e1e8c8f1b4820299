import { PeaklabError } from '../shared/errors.js';
import type { TargetInfo } from './state.js';

/** A target as a caller gives it: a URL, or `NAME=URL` to name its section. */
export type TargetSpec = string | { name?: string; url: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,39}$/;

/**
 * Turns `http://host:port` (the /metrics path is added when the URL has none), `http://host/path`
 * or `NAME=http://...` into a target.
 * @throws PeaklabError PL_CONFIG_INVALID for anything that is not an http(s) URL, or a bad name.
 */
export function parseTarget(spec: TargetSpec, index: number): TargetInfo {
  const raw = typeof spec === 'string' ? spec.trim() : spec.url.trim();
  let name = typeof spec === 'string' ? undefined : spec.name;
  let text = raw;
  const eq = /^([^=:/]+)=(.+)$/.exec(raw);
  if (typeof spec === 'string' && eq) {
    name = (eq[1] as string).trim();
    text = (eq[2] as string).trim();
  }
  const shown = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  const bad = (why: string) => new PeaklabError('PL_CONFIG_INVALID', `--target "${shown}": ${why}`);
  if (name !== undefined && !NAME.test(name)) {
    throw bad('a name is 1-40 letters, digits, spaces, dots, dashes or underscores');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('not a URL (expected e.g. http://127.0.0.1:8080 or orders=http://127.0.0.1:8080/metrics)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw bad(`only http:// and https:// targets can be scraped, not ${url.protocol}//`);
  }
  if (url.hash !== '') throw bad('a #fragment is never sent to a server; remove it');
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
  return { id: `t${index}`, name: name ?? url.host, url: url.href };
}

/**
 * Every target, checked together.
 * @throws PeaklabError PL_CONFIG_INVALID naming each bad target, or a URL given twice.
 */
export function parseTargets(specs: readonly TargetSpec[]): TargetInfo[] {
  const problems: string[] = [];
  const out: TargetInfo[] = [];
  for (const spec of specs) {
    try {
      out.push(parseTarget(spec, out.length));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.url)) problems.push(`--target ${t.url}: given twice`);
    seen.add(t.url);
  }
  if (problems.length > 0) throw new PeaklabError('PL_CONFIG_INVALID', problems.join('; '));
  // Two targets on one host:port (different paths) need the path to be told apart.
  const hosts = new Map<string, number>();
  for (const t of out) hosts.set(t.name, (hosts.get(t.name) ?? 0) + 1);
  return out.map((t) => ((hosts.get(t.name) ?? 0) > 1 ? { ...t, name: t.url } : t));
}
