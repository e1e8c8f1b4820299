import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Writable } from 'node:stream';

async function onPath(name: string, pathVar: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/**
 * Opens a file in the default browser with xdg-open (Linux) or open (macOS), detached. Returns false
 * when neither exists or it fails: --open is a convenience, never a reason to fail a run.
 */
export async function openInBrowser(file: string, pathVar: string | undefined): Promise<boolean> {
  for (const opener of ['xdg-open', 'open']) {
    const bin = await onPath(opener, pathVar);
    if (!bin) continue;
    try {
      const child = spawn(bin, [file], { detached: true, stdio: 'ignore' });
      child.on('error', () => {});
      child.unref();
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

/** --open: opens the report, or says in one line why it did not, so the user is not left waiting. */
export async function openReport(
  file: string,
  pathVar: string | undefined,
  err: Pick<Writable, 'write'>,
): Promise<boolean> {
  const opened = await openInBrowser(file, pathVar);
  if (!opened) err.write(`--open: no xdg-open or open found on PATH; open ${file} yourself\n`);
  return opened;
}
