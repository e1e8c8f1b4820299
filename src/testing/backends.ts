import { userInfo } from 'node:os';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { TEST_ENV } from './env.js';
import { uniqueName } from './services.js';

/** Unique backends for one test: a Postgres schema and a JetStream stream nobody else uses. */
export interface TestBackends {
  readonly schema: string;
  readonly stream: string;
  /** The service env that points at them (DATABASE_URL, NATS_URL, DB_SCHEMA, STREAM, LOG_LEVEL=warn). */
  readonly env: Record<string, string>;
  /** Drops the schema and deletes the stream and its `_DLQ`. */
  cleanup(): Promise<void>;
}

export function testBackends(prefix: string): TestBackends {
  const schema = uniqueName(prefix);
  const stream = uniqueName(prefix).toUpperCase();
  return {
    schema,
    stream,
    env: {
      DATABASE_URL: TEST_ENV.databaseUrl,
      NATS_URL: TEST_ENV.natsUrl,
      DB_SCHEMA: schema,
      STREAM: stream,
      LOG_LEVEL: 'warn',
    },
    async cleanup() {
      await withPg(async (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      await withJsm(async (jsm) => {
        for (const name of [stream, `${stream}_DLQ`]) await jsm.streams.delete(name).catch(() => false);
      });
    },
  };
}

/** Runs `fn` on a fresh connection to the test database (as the OS user when the URL names none). */
export async function withPg<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(TEST_ENV.databaseUrl);
  if (url.username === '') url.username = userInfo().username;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs `fn` with a JetStream manager and client on a fresh connection to the test NATS. */
export async function withJsm<T>(fn: (jsm: JetStreamManager, js: JetStreamClient) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: TEST_ENV.natsUrl });
  try {
    return await fn(await jetstreamManager(nc), jetstream(nc));
  } finally {
    await nc.close();
  }
}
