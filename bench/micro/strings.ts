import { Bench } from 'tinybench';
import { type Row, rowsOf } from './table.js';

/** Keeps results observable, so the engine cannot drop the work. */
let sink = 0;

/**
 * Reads one character from the middle: V8 builds `+=` results as ropes (cons strings) and only
 * copies them into one flat string when they are read. Every method pays this read, so `+=` is
 * charged for the flattening a real use (writing it to a socket) would cause.
 */
function use(s: string): void {
  sink ^= s.charCodeAt(s.length >> 1);
}

const PIECE = 'a';
const PIECE_BYTES = Buffer.from(PIECE);

/**
 * The seed's string-building comparison (Go: `+=`, strings.Join, bytes.Buffer) in JS terms, for
 * 10, 1,000 and 10,000 pieces of one character: `+=`, a template literal, Array.join, and
 * Buffer.concat of byte pieces decoded once. Reference per size: `+=`.
 */
export async function benchStrings(time: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of [10, 1_000, 10_000]) {
    const bench = new Bench({ time, warmupTime: Math.min(200, time) });
    bench.add('+=', () => {
      let s = PIECE;
      for (let j = 0; j < n; j++) s += PIECE;
      use(s);
    });
    bench.add('template literal', () => {
      let s = PIECE;
      for (let j = 0; j < n; j++) s = `${s}${PIECE}`;
      use(s);
    });
    bench.add('Array.join', () => {
      const parts = [PIECE];
      for (let j = 0; j < n; j++) parts.push(PIECE);
      use(parts.join(''));
    });
    bench.add('Buffer.concat', () => {
      const parts = [PIECE_BYTES];
      for (let j = 0; j < n; j++) parts.push(PIECE_BYTES);
      use(Buffer.concat(parts, n + 1).toString('latin1'));
    });
    await bench.run();
    rows.push(...rowsOf(bench, `strings x${n}`, {}, '+='));
  }
  if (sink === -1) throw new Error('unreachable');
  return rows;
}
