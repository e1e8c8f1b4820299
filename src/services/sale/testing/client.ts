import { Pool } from 'undici';

/** One HTTP answer: the status and the parsed JSON body (`{}` when the body is not JSON). */
export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface SaleBody {
  id: number;
  start: string;
  end: string;
  items: number;
  user_limit: number;
  sold: number;
  reserved: number;
}

/**
 * A client of one sale service over its own keep-alive connections (undici Pool), so a test can
 * send the same request down two connections at once. Every request is bounded by a timeout.
 */
export class SaleClient {
  readonly #pool: Pool;

  constructor(url: string, connections = 16) {
    this.#pool = new Pool(url, { connections, headersTimeout: 15_000, bodyTimeout: 15_000 });
  }

  checkout(user: string | number, item: string | number): Promise<Answer> {
    return this.send('POST', `/checkout?user_id=${user}&id=${item}`);
  }

  purchase(code: string): Promise<Answer> {
    return this.send('POST', `/purchase?code=${encodeURIComponent(code)}`);
  }

  async sale(): Promise<SaleBody> {
    const a = await this.send('GET', '/sale');
    if (a.status !== 200) throw new Error(`GET /sale answered ${a.status}`);
    return a.body as unknown as SaleBody;
  }

  async send(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<Answer> {
    const res = await this.#pool.request({ method: method as 'GET', path, body, headers });
    const text = await res.body.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not JSON (e.g. Node's own 431): the status says it all.
    }
    return { status: res.statusCode, body: parsed };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
