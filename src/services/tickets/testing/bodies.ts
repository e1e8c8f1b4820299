/** Bodies shared by the hostile-input tests. */

export const HEAD = 'Order: 123456\nVAT: 0.00\nTotal: 1.00\n';

/** A ticket with `rows` after the column row. */
export function ticket(rows: string[], head = HEAD): string {
  return `${head}\nproduct,product_id,price\n${rows.join('\n')}\n`;
}

/** Deterministic bytes: the same "garbage" on every run. */
export function noise(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export const MIB = 1024 * 1024;
export const LONG_LINE = 'x'.repeat(MIB - 200);
