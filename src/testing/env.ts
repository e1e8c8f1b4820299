/**
 * Test-side configuration, read once. Tests talk to the real services; these are their addresses.
 * Override with TEST_DATABASE_URL, TEST_REDIS_URL, TEST_NATS_URL.
 */
/** A child process's environment in a test: this process's own, with `extra` on top. */
export function childEnv(
  extra: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return { ...process.env, ...extra };
}

export const TEST_ENV = Object.freeze({
  // The rule is "skip only when CI is unset": any value, even CI=false, makes a missing service fail.
  ci: process.env.CI !== undefined,
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  natsUrl: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
});
