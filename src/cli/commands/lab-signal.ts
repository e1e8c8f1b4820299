/**
 * Runs a lab with an AbortSignal that SIGINT and SIGTERM abort, so an interrupted lab stops the
 * services it started and writes what it has; the handlers are removed when `run` settles.
 * Resolves or rejects as `run` does.
 */
export async function withStopSignal<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
