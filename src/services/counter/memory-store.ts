import { IoWait } from './io-wait.js';
import type { CounterStore } from './ports.js';
import { addChecked } from './total.js';

/**
 * The embedded store: a BigInt in this process, gone when it exits (nothing durable). Its read is
 * a simulated round trip: it takes the total, then resolves after an I/O wait of `ioUs`
 * microseconds (see IoWait), the way a GET's answer is fixed when the server reads it and arrives
 * later. Write and add are immediate; add is the plain `+=` an atomic mode needs in one thread.
 */
export class MemoryStore implements CounterStore {
  readonly description: string;
  private total: bigint;
  private readonly io: IoWait;

  /** `ioUs`: simulated I/O per read, microseconds (>= 0). `initial`: starting total (default 0). */
  constructor(opts: { ioUs: number; initial?: bigint }) {
    this.io = new IoWait(opts.ioUs);
    this.total = opts.initial ?? 0n;
    const wait =
      opts.ioUs === 0 ? 'one event-loop turn' : `${opts.ioUs} µs, rounded up to the next 1 ms timer tick,`;
    this.description = `memory (in-process, lost on exit; each read waits ${wait} of simulated I/O)`;
  }

  async read(): Promise<bigint> {
    const total = this.total;
    await this.io.wait();
    return total;
  }

  async write(total: bigint): Promise<void> {
    this.total = total;
  }

  async add(delta: bigint): Promise<bigint> {
    this.total = addChecked(this.total, delta);
    return this.total;
  }

  /** The total now, without the I/O wait (for tests and the metrics gauge). */
  peek(): bigint {
    return this.total;
  }
}
