const tolerated = new WeakSet<NodeJS.WritableStream>();

/**
 * Makes writes to `stream` (stdout or stderr) unable to crash or stall the process when whatever
 * read it has gone: `peaklab serve … | head -3`, a closed terminal, a parent that died. Node reports
 * EPIPE as an 'error' event, which with no listener is an uncaught exception; a log line or a
 * progress line is never worth the process (a lab would die with its services still running, a
 * service would die mid-drain). Once the stream has failed, Node drops later writes silently.
 * Idempotent: one listener per stream however often it is called.
 */
export function tolerateClosedOutput(stream: NodeJS.WritableStream): void {
  if (tolerated.has(stream)) return;
  tolerated.add(stream);
  // Every write error is dropped, not only EPIPE: there is nowhere left to report it.
  stream.on('error', () => {});
}
