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
