import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./target-main.js', import.meta.url));

export interface TargetProcess {
  port: number;
  readonly child: ChildProcess;
  /** Requests the target received so far (asked over IPC; rejects once it is dead). */
  received(): Promise<number>;
  /** SIGKILL: no goodbye, sockets reset or left half-written. Resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts target-main.js (`http`, or `grpc` serving `proto`) as a child and waits for its port. */
export function startTargetProcess(kind: 'http' | 'grpc', proto?: string): Promise<TargetProcess> {
  const args = [MAIN, kind, ...(proto ? [proto] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        port,
        child,
        received: () =>
          new Promise((done, fail) => {
            if (!child.connected) return fail(new Error('target is gone'));
            child.once('message', (n) => done(n as number));
            child.send('count');
          }),
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`target exited early with ${code}`)));
  });
}
