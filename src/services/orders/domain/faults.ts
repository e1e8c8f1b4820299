/** Fault injection, in the spirit of the OpenTelemetry demo's failure flags. */
export interface FaultConfig {
  /** Probability in [0, 1] that one processing attempt fails. */
  readonly failRate: number;
  /** Every order for this product fails (poison); -1 for none. */
  readonly failProduct: number;
}

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

/**
 * The store refused the order's own data (the store adapter raises it for data the database
 * rejects): retrying the same order cannot help, so it is the order's fault, not the backend's.
 */
export class OrderRejected extends Error {
  override readonly name = 'OrderRejected';
}

/** Throws an InjectedFault when the flags say this attempt fails. */
export function maybeFail(faults: FaultConfig, productId: number, random: () => number = Math.random): void {
  if (faults.failProduct >= 0 && productId === faults.failProduct) {
    throw new InjectedFault(`product ${productId} is set to fail (--fail-product)`);
  }
  if (faults.failRate > 0 && random() < faults.failRate) {
    throw new InjectedFault(`random failure (--fail-rate ${faults.failRate})`);
  }
}

/**
 * Whether a failed attempt is the order's own fault (an injected fault, or data the store
 * refuses): it then counts toward --max-attempts and ends in the dead-letter queue. Anything else
 * (a connection refused, a missing table, a timeout) is the backend's fault and is retried
 * without limit.
 */
export function isOrderFault(err: unknown): boolean {
  return err instanceof InjectedFault || err instanceof OrderRejected;
}
