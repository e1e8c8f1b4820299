/**
 * A JetStream stream name as peaklab accepts it: letters, digits, `-` and `_`, at most 251
 * characters, so `<name>_DLQ` fits the server's 255. (The server also refuses whitespace, `.`,
 * `*`, `>` and path separators; this is stricter on purpose: the name is a subject token too.)
 */
export function isStreamName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,251}$/.test(name);
}
