import { parseDuration } from '../shared/duration.js';

/**
 * A typed config field. A field knows how to turn one raw string (from a flag or an env var)
 * into a value, and throws a plain message when it cannot; readConfig adds the name.
 */
export interface Field<T> {
  readonly description: string;
  readonly default: T;
  /** Shown in --help, e.g. "<n>" or "<direct|shed|queue>". */
  readonly placeholder: string;
  parse(raw: string): T;
}

export type ValueOf<F> = F extends Field<infer T> ? T : never;
export type Spec = Record<string, Field<unknown>>;
export type ConfigOf<S extends Spec> = { readonly [K in keyof S]: ValueOf<S[K]> };

interface Range {
  min?: number;
  max?: number;
}

function checkRange(n: number, { min, max }: Range): void {
  if (min !== undefined && n < min) throw new Error(`must be at least ${min}`);
  if (max !== undefined && n > max) throw new Error(`must be at most ${max}`);
}

export function int(description: string, def: number, range: Range = {}): Field<number> {
  return {
    description,
    default: def,
    placeholder: '<n>',
    parse(raw) {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error(`"${raw}" is not a whole number`);
      const n = Number(raw);
      checkRange(n, range);
      return n;
    },
  };
}

export function num(description: string, def: number, range: Range = {}): Field<number> {
  return {
    description,
    default: def,
    placeholder: '<x>',
    parse(raw) {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`"${raw}" is not a number`);
      checkRange(n, range);
      return n;
    },
  };
}

export function oneOf<const T extends string>(description: string, values: readonly T[], def: T): Field<T> {
  return {
    description,
    default: def,
    placeholder: `<${values.join('|')}>`,
    parse(raw) {
      const v = raw.trim() as T;
      if (!values.includes(v)) throw new Error(`"${raw}" is not one of ${values.join(', ')}`);
      return v;
    },
  };
}

/**
 * `field`, except that an empty or blank value means the default, as if it were unset: the rule
 * of OpenTelemetry's environment variable spec ("an empty value … the same way as when the
 * variable is unset"), which compose files and Helm charts rely on when they blank a variable.
 */
export function emptyIsUnset<T>(field: Field<T>): Field<T> {
  return { ...field, parse: (raw) => (raw.trim() === '' ? field.default : field.parse(raw)) };
}

/** `field` made optional: unset, empty or blank is undefined; anything else parses as `field` does. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return emptyIsUnset<T | undefined>({ ...field, default: undefined });
}

/** A duration such as "20ms" or "10s", held in milliseconds. */
export function duration(description: string, defMs: number, range: Range = {}): Field<number> {
  return {
    description,
    default: defMs,
    placeholder: '<duration>',
    parse(raw) {
      const ms = parseDuration(raw);
      checkRange(ms, range);
      return ms;
    },
  };
}

export function str(description: string, def: string): Field<string> {
  return { description, default: def, placeholder: '<text>', parse: (raw) => raw };
}

export function optionalStr(description: string, placeholder = '<text>'): Field<string | undefined> {
  return {
    description,
    default: undefined,
    placeholder,
    parse: (raw) => (raw.trim() === '' ? undefined : raw),
  };
}

/**
 * A string that must pass `test`, e.g. a SQL identifier or a stream name; `what` names the kind in
 * the error ("a plain SQL identifier"). The default is taken as valid.
 */
export function matching(
  description: string,
  def: string,
  test: (value: string) => boolean,
  what: string,
  placeholder = '<name>',
): Field<string> {
  return {
    description,
    default: def,
    placeholder,
    parse(raw) {
      if (!test(raw)) throw new Error(`"${raw}" is not ${what}`);
      return raw;
    },
  };
}

/** A URL as it may be shown: without its password. */
function shown(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/**
 * An optional URL whose scheme is one of `schemes` (without the colon: "postgres") and which names
 * a host. Unset or empty = undefined. The error shows the expected form, and never a password.
 */
export function optionalUrl(
  description: string,
  schemes: readonly string[],
  example: string,
): Field<string | undefined> {
  const expected = `${schemes.map((s) => `${s}://`).join(' or ')}, e.g. ${example}`;
  return {
    description,
    default: undefined,
    placeholder: '<url>',
    parse(raw) {
      const text = raw.trim();
      if (text === '') return undefined;
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new Error(`"${raw}" is not a URL (expected ${expected})`);
      }
      if (!schemes.includes(url.protocol.slice(0, -1))) {
        throw new Error(`"${shown(url)}" must start with ${expected}`);
      }
      if (url.hostname === '') throw new Error(`"${shown(url)}" names no host (expected ${expected})`);
      return text;
    },
  };
}

export function bool(description: string, def = false): Field<boolean> {
  return {
    description,
    default: def,
    placeholder: '<true|false>',
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new Error(`"${raw}" is not true or false`);
    },
  };
}
