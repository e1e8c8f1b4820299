import { Redis } from 'ioredis';
import { PeaklabError } from '../../shared/errors.js';

/**
 * Provisional: connects the ioredis client the Redis store needs, until the platform's Redis
 * adapter supplies one. Bounded: connecting, and every command, within `timeoutMs`; a command is
 * tried once (maxRetriesPerRequest 1) while the client reconnects in the background.
 * `stringNumbers` makes INCRBY replies exact decimal strings (see RedisStore).
 * `onError` hears the connection's errors (a reconnect failing every ≤ 2 s while Redis is down).
 * Throws PeaklabError PL_BACKEND_UNAVAILABLE if Redis does not answer PING in time.
 */
export async function connectRedis(
  url: string,
  timeoutMs: number,
  onError: (err: Error) => void = () => {},
): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    stringNumbers: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash on it.
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return redis;
  } catch (err) {
    redis.disconnect();
    const where = new URL(url);
    throw new PeaklabError(
      'PL_BACKEND_UNAVAILABLE',
      `Redis at ${where.hostname}:${where.port || 6379} is not reachable: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** QUIT within `timeoutMs`, then drop the connection whatever happened. Never rejects. */
export async function closeRedis(redis: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.quit().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  redis.disconnect();
}
