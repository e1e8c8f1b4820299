import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

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
 * Opens a file in the default browser with xdg-open (Linux) or open (macOS), detached. Returns false,
 * silently, when neither exists or it fails: --open is a convenience, never a reason to fail a run.
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
