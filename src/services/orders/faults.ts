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

/** Throws an InjectedFault when the flags say this attempt fails. */
export function maybeFail(faults: FaultConfig, productId: number, random: () => number = Math.random): void {
  if (faults.failProduct >= 0 && productId === faults.failProduct) {
    throw new InjectedFault(`product ${productId} is set to fail (--fail-product)`);
  }
  if (faults.failRate > 0 && random() < faults.failRate) {
    throw new InjectedFault(`random failure (--fail-rate ${faults.failRate})`);
  }
}
