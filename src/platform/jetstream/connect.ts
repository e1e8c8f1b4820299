import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describeError, PeaklabError } from '../../shared/errors.js';
import { skipDiscardedRequestErrors } from './request-cleanup.js';

/** How long connecting may take before it counts as unreachable (ms). */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to NATS at `url`, named `name` in the server's connection list.
 * Throws PL_BACKEND_UNAVAILABLE naming the URL when it cannot.
 */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  skipDiscardedRequestErrors();
  try {
    // noAsyncTraces: no Error (with its stack) captured per request; it cost ~12% CPU per publish.
    return await connect({ servers: url, name, timeout: CONNECT_TIMEOUT_MS, noAsyncTraces: true });
  } catch (err) {
    throw new PeaklabError('PL_BACKEND_UNAVAILABLE', `NATS at ${url}: ${describeError(err)}`, { cause: err });
  }
}
