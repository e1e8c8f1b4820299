import { PeaklabError } from '../shared/errors.js';

/**
 * The one rule that decides which responses count as ok (`--ok-status`). HTTP: codes ("404"),
 * classes ("2xx") and ranges ("200-299"), comma-separated; default 2xx and 3xx, as JMeter and k6
 * do. gRPC: status names or numbers ("OK,NOT_FOUND"); default OK. Everything else counts as failed.
 */
export const DEFAULT_OK_STATUS = { http: '2xx,3xx', grpc: 'OK' } as const;

/** gRPC status codes by number (grpc/status.proto): kept here so checking flags loads no gRPC code. */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** ok[code] === 1 when the status counts as ok: an HTTP code (0-599) or a gRPC code (0-16). */
export type OkTable = Uint8Array;

function bad(spec: string, why: string): PeaklabError {
  return new PeaklabError('PL_USAGE', `--ok-status "${spec}": ${why}`);
}

function httpTable(spec: string): OkTable {
  const ok = new Uint8Array(600);
  for (const raw of spec.split(',')) {
    const t = raw.trim();
    let lo: number;
    let hi: number;
    const cls = /^([1-5])xx$/i.exec(t);
    const range = /^(\d{3})(?:-(\d{3}))?$/.exec(t);
    if (cls) {
      lo = Number(cls[1]) * 100;
      hi = lo + 99;
    } else if (range) {
      lo = Number(range[1]);
      hi = range[2] === undefined ? lo : Number(range[2]);
    } else throw bad(spec, `"${t}" is not a status code, class or range (e.g. 2xx,3xx or 200-299,404)`);
    if (lo < 100 || hi > 599 || hi < lo) throw bad(spec, `"${t}" is not within 100-599, low to high`);
    ok.fill(1, lo, hi + 1);
  }
  return ok;
}

function grpcTable(spec: string): OkTable {
  const ok = new Uint8Array(GRPC_STATUS_NAMES.length);
  for (const raw of spec.split(',')) {
    const t = raw.trim().toUpperCase();
    const n = /^\d+$/.test(t) ? Number(t) : (GRPC_STATUS_NAMES as readonly string[]).indexOf(t);
    if (!(n >= 0 && n < GRPC_STATUS_NAMES.length)) {
      throw bad(spec, `"${raw.trim()}" is not a gRPC status (names such as OK, NOT_FOUND, or 0-16)`);
    }
    ok[n] = 1;
  }
  return ok;
}

/** Compiles `spec` (or the protocol's default) into a lookup table; a bad spec is PL_USAGE. */
export function okTable(spec: string | undefined, protocol: 'http' | 'grpc'): OkTable {
  const s = spec ?? DEFAULT_OK_STATUS[protocol];
  if (s.trim() === '') throw bad(s, 'give at least one status');
  return protocol === 'http' ? httpTable(s) : grpcTable(s);
}

/** Whether a recorded status ("200", "OK", ...) counts as ok under `table`. */
export function isOkStatus(table: OkTable, protocol: 'http' | 'grpc', status: string): boolean {
  const n = protocol === 'http' ? Number(status) : GRPC_STATUS_NAMES.indexOf(status as 'OK');
  return n >= 0 && table[n] === 1;
}
