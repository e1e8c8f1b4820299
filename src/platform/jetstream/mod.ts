/** NATS JetStream for services: a durable work queue with dead letters, and its stream checks. */
export { connectNats } from './connect.js';
export { ACK_WAIT_MS } from './delivery.js';
export { ensureStream, streamMismatches, subjectMatches } from './streams.js';
export { type JetStreamQueueOptions, JetStreamWorkQueue, openJetStreamQueue } from './work-queue.js';
