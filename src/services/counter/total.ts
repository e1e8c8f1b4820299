import { CounterError } from './errors.js';

/** The largest total: the seed's counter is a Go int64, and Redis integers are signed 64-bit too. */
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

/**
 * Checks an increment's value before anything else happens: a non-negative integer.
 * Throws CounterError NEGATIVE_VALUE ("Value cannot be negative") or INVALID_VALUE.
 */
export function checkValue(value: number): bigint {
  if (!Number.isInteger(value)) throw new CounterError('INVALID_VALUE', String(value));
  if (value < 0) throw new CounterError('NEGATIVE_VALUE');
  return BigInt(value);
}

/**
 * `total + delta`, exact (BigInt). Throws CounterError OUT_OF_RANGE if the sum leaves the signed
 * 64-bit range, so the caller writes nothing.
 */
export function addChecked(total: bigint, delta: bigint): bigint {
  const sum = total + delta;
  if (sum > INT64_MAX || sum < INT64_MIN) {
    throw new CounterError('OUT_OF_RANGE', `total ${total} + value ${delta}`);
  }
  return sum;
}

/**
 * Parses a stored total ("123", "-4"). Throws CounterError STORE_FAILED for anything that is not a
 * signed 64-bit decimal integer: the store holds something this counter did not write.
 */
export function parseTotal(text: string, where: string): bigint {
  if (!/^-?\d{1,19}$/.test(text)) throw new CounterError('STORE_FAILED', `${where} holds a non-integer`);
  const n = BigInt(text);
  if (n > INT64_MAX || n < INT64_MIN)
    throw new CounterError('STORE_FAILED', `${where} is out of the 64-bit range`);
  return n;
}
