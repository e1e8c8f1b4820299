import { userInfo } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

/** Drops the schemas a lab run created in the test database. */
export async function dropSchemas(databaseUrl: string, schemas: readonly string[]): Promise<void> {
  const url = new URL(databaseUrl);
  // Like libpq, a URL without a user name means the operating-system user.
  if (url.username === '') url.username = userInfo().username;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    for (const schema of schemas)
      await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '')}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes the streams (and their dead-letter streams) a lab run created. */
export async function deleteStreams(natsUrl: string, streams: readonly string[]): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of streams.flatMap((s) => [s, `${s}_DLQ`]))
      await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** Whether JetStream still holds a stream: a lab's work-queue stream must be empty after the drain. */
export async function streamMessages(natsUrl: string, stream: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
}
