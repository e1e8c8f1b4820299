import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeError, PeaklabError } from '../../shared/errors.js';
import type { ServiceRuntime } from '../runtime.js';
import { dbSpan } from '../telemetry/spans.js';

export interface RedisOptions {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  readonly url: string;
  /** Lua scripts by name: loaded once at open (SCRIPT LOAD), then called by SHA (EVALSHA). */
  readonly scripts?: Readonly<Record<string, string>>;
  /** Connecting may take this long before the server counts as unreachable (ms; default 5000). */
  readonly connectTimeoutMs?: number;
  /** A command without a reply after this long fails with "Command timed out" (ms; default 2000). */
  readonly commandTimeoutMs?: number;
  /**
   * Sends the commands issued in one event-loop turn in one write (ioredis auto-pipelining): under
   * load, one syscall for many requests instead of one each (default false).
   */
  readonly autoPipelining?: boolean;
  /**
   * Integer replies as decimal strings (ioredis stringNumbers), for exact 64-bit totals: as JS
   * numbers, replies above 2^53 would be rounded (default false).
   */
  readonly stringNumbers?: boolean;
}

/** An open Redis connection, with the service's scripts loaded. */
export interface RedisBackend {
  /** The ioredis client, for plain commands; every command is bounded by the command timeout. */
  readonly client: Redis;
  /**
   * Runs a script loaded at open by its SHA. When the server no longer has it (a restart or
   * SCRIPT FLUSH answers NOSCRIPT) it loads it again and runs it once more. Rejects with the
   * script's own error, or the connection's (timeout, closed).
   */
  runScript(name: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Which server and what it guarantees, for the start-up log line. */
  readonly description: string;
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * Connects to Redis, loads the scripts, and registers a readiness check (PING) and a close step
 * (QUIT, or a hard disconnect when QUIT gets no answer) on the runtime. While disconnected,
 * commands fail at once instead of queueing (no offline queue), and the client reconnects with
 * ioredis's capped backoff. Throws PL_BACKEND_UNAVAILABLE naming the server when it cannot connect
 * or load a script.
 */
export async function openRedis(rt: ServiceRuntime, opts: RedisOptions): Promise<RedisBackend> {
  const where = new URL(opts.url).host;
  const commandTimeout = opts.commandTimeoutMs ?? 2000;
  const client = new Redis(opts.url, {
    lazyConnect: true,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    commandTimeout,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: opts.autoPipelining ?? false,
    stringNumbers: opts.stringNumbers ?? false,
    connectionName: `peaklab-${rt.name}`,
  });
  // Connection errors surface through the commands that fail; an unhandled 'error' would crash.
  client.on('error', () => {});
  const shas = new Map<string, { sha: string; source: string }>();
  try {
    await client.connect();
    for (const [name, source] of Object.entries(opts.scripts ?? {})) {
      const sha = String(await client.script('LOAD', source));
      if (sha !== sha1(source)) throw new Error(`script ${name}: the server returned SHA ${sha}`);
      shas.set(name, { sha, source });
    }
  } catch (err) {
    client.disconnect();
    throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `Redis at ${where}: ${describeError(err)}`, {
      cause: err,
    });
  }
  rt.readiness.add('redis', async () => {
    await client.ping();
  });
  rt.lifecycle.add({
    name: 'redis',
    async close() {
      if (client.status === 'end') return;
      const ended = new Promise((resolve) => client.once('end', resolve));
      await client.quit().catch(() => client.disconnect());
      await ended;
    },
  });
  // Spans name the database index as the namespace, as the conventions do for Redis.
  const target = { system: 'redis', namespace: new URL(opts.url).pathname.slice(1) || '0' };
  return {
    client,
    description: `Redis ${where}: in memory; what it keeps across a restart depends on the server's persistence`,
    runScript(name, keys, args) {
      return rt.tracing
        ? dbSpan(target, 'EVALSHA', `EVALSHA ${name}`, () => run(name, keys, args))
        : run(name, keys, args);
    },
  };

  async function run(name: string, keys: readonly string[], args: ReadonlyArray<string | number>) {
    const script = shas.get(name);
    if (script === undefined) throw new Error(`no script named ${name} was loaded`);
    try {
      return await client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!describeError(err).startsWith('NOSCRIPT')) throw err;
      await client.script('LOAD', script.source);
      return client.evalsha(script.sha, keys.length, ...keys, ...args);
    }
  }
}
