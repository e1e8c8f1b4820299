import type { Redis } from 'ioredis';
import { PeaklabError } from '../../shared/errors.js';
import { asCounterError, CounterError } from './errors.js';
import type { CounterStore } from './ports.js';
import { parseTotal } from './total.js';

export interface RedisStoreOptions {
  /**
   * A connected ioredis client, owned by the caller (who closes it). It must be created with
   * `stringNumbers: true`: ioredis returns integer replies (INCRBY) as JS numbers otherwise, and a
   * total above 2^53 would come back rounded.
   */
  redis: Redis;
  /** The key holding the total. */
  key: string;
  /** Bound on every command, ms: past it the call fails with STORE_FAILED (it may still apply). */
  timeoutMs: number;
}

/** Redis's own words for an INCRBY past the signed 64-bit range. */
const OVERFLOW = /would overflow/i;
/** INCRBY on a key that holds a non-integer. */
const NOT_INTEGER = /not an integer/i;

/**
 * The total on a real Redis key: read is GET, write is SET (two round trips: the
 * read-modify-write of the issue), add is INCRBY, and addEach is a pipeline of INCRBY (one round
 * trip for a whole inputq batch, each reply being that increment's exact total). Every command is
 * bounded by `timeoutMs` here, whatever the client's own settings: a stalled Redis gives
 * STORE_FAILED, never a hang. INCRBY's overflow error is OUT_OF_RANGE.
 * Throws PeaklabError PL_CONFIG_INVALID if the client lacks `stringNumbers`.
 */
export class RedisStore implements CounterStore {
  readonly description: string;
  private readonly redis: Redis;
  private readonly key: string;
  private readonly timeoutMs: number;

  constructor(opts: RedisStoreOptions) {
    if (opts.redis.options.stringNumbers !== true) {
      throw new PeaklabError(
        'PL_CONFIG_INVALID',
        'the counter needs a Redis client created with stringNumbers: true (exact 64-bit INCRBY replies)',
      );
    }
    this.redis = opts.redis;
    this.key = opts.key;
    this.timeoutMs = opts.timeoutMs;
    const { host, port, db } = opts.redis.options;
    this.description = `redis ${host ?? '?'}:${port ?? '?'}/${db ?? 0} key ${opts.key} (as durable as that Redis's persistence; every command times out after ${opts.timeoutMs} ms)`;
  }

  async read(): Promise<bigint> {
    const text = await this.bounded('GET', this.redis.get(this.key));
    return text === null ? 0n : parseTotal(text, `key ${this.key}`);
  }

  async write(total: bigint): Promise<void> {
    await this.bounded('SET', this.redis.set(this.key, total.toString()));
  }

  async add(delta: bigint): Promise<bigint> {
    const reply = await this.bounded('INCRBY', this.redis.incrby(this.key, delta.toString()));
    return BigInt(String(reply));
  }

  async addEach(deltas: readonly bigint[]): Promise<Array<bigint | CounterError>> {
    const pipeline = this.redis.pipeline();
    for (const d of deltas) pipeline.incrby(this.key, d.toString());
    const replies = await this.bounded(`a pipeline of ${deltas.length} INCRBY`, pipeline.exec());
    if (replies === null || replies.length !== deltas.length) {
      throw new CounterError('STORE_FAILED', 'the INCRBY pipeline returned no results');
    }
    return replies.map(([err, reply]) => (err ? mapReplyError(err) : BigInt(String(reply))));
  }

  /** `op` within the timeout, with Redis errors mapped to CounterErrors. */
  private async bounded<T>(what: string, op: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CounterError(
              'STORE_FAILED',
              `Redis ${what} on ${this.key} timed out after ${this.timeoutMs} ms`,
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([op, timeout]);
    } catch (err) {
      throw mapReplyError(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

function mapReplyError(err: unknown): CounterError {
  if (err instanceof CounterError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (OVERFLOW.test(message)) return new CounterError('OUT_OF_RANGE', `Redis: ${message}`, { cause: err });
  if (NOT_INTEGER.test(message)) return new CounterError('STORE_FAILED', `Redis: ${message}`, { cause: err });
  return asCounterError(err);
}
