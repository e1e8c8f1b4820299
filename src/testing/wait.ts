/** Polls until `check` is true or `timeoutMs` passes (every `everyMs`); resolves with the last result. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}

/** Ids in `want` that are not keys of `have`: what a store is missing. */
export function missingFrom(have: ReadonlyMap<string, unknown>, want: Iterable<string>): string[] {
  const missing: string[] = [];
  for (const id of want) if (!have.has(id)) missing.push(id);
  return missing;
}
