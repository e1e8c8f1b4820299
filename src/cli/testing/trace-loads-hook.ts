import { appendFileSync } from 'node:fs';

/** Module customization hooks (they run on a loader thread): append each resolved URL to a file. */
let file = '';

export function initialize(data: { file: string }): void {
  file = data.file;
}

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string }> {
  const resolved = await next(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
