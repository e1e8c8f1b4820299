import { Writable } from 'node:stream';
import { main } from '../../cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Runs the CLI in process with captured stdout/stderr and an empty environment (or `env`). */
export async function runCli(
  args: readonly string[],
  opts: { tty?: boolean; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const out: Capture & { isTTY?: boolean } = new Capture();
  if (opts.tty) out.isTTY = true;
  const err = new Capture();
  const code = await main(['node', 'peaklab', ...args], { out, err, env: opts.env ?? {} });
  return { code, out: out.text, err: err.text };
}
