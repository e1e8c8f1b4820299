import { randomInt, randomUUID } from 'node:crypto';
import { PeaklabError } from '../shared/errors.js';
import { checkTracePrefix, traceparentFor } from './trace-propagate.js';

/** What a template may draw on for one request. */
export interface TemplateVars {
  /** The request's sequence number, unique across threads. */
  seq: number;
}

/** A compiled template: called once per request; a constant string when there is nothing to fill. */
export type Render = (vars: TemplateVars) => string;

type Part = string | Render;

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ran',
  'to',
  'shi',
  've',
  'no',
  'da',
  'el',
  'fu',
  'gor',
  'ix',
  'ju',
  'pa',
  'qui',
];

/** A stable pseudo-random name: the same seq always gives the same name, run after run. */
export function usernameFor(seq: number): string {
  // splitmix-style integer hash, so neighbouring seqs give unrelated names.
  let x = (seq + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x = (x ^ (x >>> 16)) >>> 0;
  let name = '';
  for (let i = 0; i < 3; i++) {
    name += SYLLABLES[x & 15];
    x >>>= 4;
  }
  return `${name}${x % 1000}`;
}

/** The text of a literal tag, {{"..."}}: how a template sends a literal "{{". */
function literalOf(tag: string): string | undefined {
  const m = /^\s*"([^"]*)"\s*$/.exec(tag);
  return m ? m[1] : undefined;
}

function compileTag(tag: string, where: string): Render {
  const [name, ...args] = tag.trim().split(/\s+/);
  switch (name) {
    case 'uuid':
      return () => randomUUID();
    case 'seq':
      return (v) => String(v.seq);
    case 'username':
      return (v) => usernameFor(v.seq);
    case 'traceparent': {
      // Added by --trace-propagate: the W3C traceparent of request seq in the run args[0].
      const prefix = checkTracePrefix(args[0] ?? '');
      return (v) => traceparentFor(prefix, v.seq);
    }
    case 'int': {
      const [lo, hi] = args.map(Number) as [number, number];
      if (args.length !== 2 || !Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
        throw new PeaklabError('PL_USAGE', `${where}: {{${tag}}} needs two whole numbers, low then high`);
      }
      return () => String(randomInt(lo, hi + 1));
    }
    case 'pick': {
      const choices = args.join(' ').split(',');
      if (args.length === 0 || choices.some((c) => c === '')) {
        throw new PeaklabError('PL_USAGE', `${where}: {{${tag}}} needs a list such as {{pick a,b,c}}`);
      }
      return () => choices[randomInt(choices.length)] as string;
    }
    default:
      throw new PeaklabError(
        'PL_USAGE',
        `${where}: unknown template {{${tag}}} (known: uuid, seq, int A B, pick a,b,c, username, and {{"{{"}} for a literal {{)`,
      );
  }
}

/** True when the text holds at least one {{...}} tag. */
export function hasTemplate(text: string): boolean {
  return /\{\{[^}]*\}\}/.test(text);
}

/**
 * Compiles "a{{seq}}b" once into a function, so each request only concatenates. A literal tag
 * {{"text"}} renders as its text, so {{"{{"}} sends a literal "{{". Unknown tags are PL_USAGE.
 */
export function compileTemplate(text: string, where: string): Render {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(/\{\{([^}]*)\}\}/g)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const literal = literalOf(m[1] as string);
    parts.push(literal ?? compileTag(m[1] as string, where));
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.every((p) => typeof p === 'string')) {
    const whole = parts.join('');
    return () => whole;
  }
  return (vars) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(vars);
    return out;
  };
}
