import { describeError } from '../../shared/errors.js';

/** Resolves when the dependency answers; rejects (or never settles) when it does not. */
export type ReadinessCheck = () => Promise<void>;

export interface ReadinessResult {
  readonly ready: boolean;
  /** The first failing check's name and reason, when not ready. */
  readonly reason?: string;
}

/** Each check gets this long before it counts as failed (ms): a stalled backend must not hang /readyz. */
export const READY_TIMEOUT_MS = 2000;

/**
 * The readiness checks of one service: each backend registers its own when it opens (Postgres
 * pings, NATS measures a round trip), and `/readyz` (or a gRPC health service) asks them all.
 */
export class Readiness {
  readonly #checks: Array<{ name: string; check: ReadinessCheck }> = [];

  add(name: string, check: ReadinessCheck): void {
    this.#checks.push({ name, check });
  }

  /** Runs every check at once; not ready if any fails or takes longer than `timeoutMs`. */
  async check(timeoutMs: number = READY_TIMEOUT_MS): Promise<ReadinessResult> {
    const failures = await Promise.all(
      this.#checks.map(async ({ name, check }) => {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([check(), expired]);
          return undefined;
        } catch (err) {
          return `${name}: ${describeError(err)}`;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const reason = failures.find((f) => f !== undefined);
    return reason === undefined ? { ready: true } : { ready: false, reason };
  }
}
