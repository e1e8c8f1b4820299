import { startTraceCollector } from './trace-collector.js';

/**
 * The trace collector as a process of its own (the tracing bench runs it beside the service, as a
 * real collector would be): counts what it receives without keeping it, prints one JSON line
 * `{"url":…}` once listening, and exits on SIGTERM or SIGINT.
 */
const collector = await startTraceCollector({ keep: false });
process.stdout.write(`${JSON.stringify({ url: collector.url })}\n`);
const stop = () => {
  void collector.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
