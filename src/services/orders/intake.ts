import type { Logger } from 'pino';
import { describeError } from '../../shared/errors.js';
import { isOrderFault } from './failure.js';
import { InjectedFault } from './faults.js';
import type { OrderMetrics } from './metrics.js';
import { type Order, orderId } from './order.js';
import type { OrderQueue } from './ports.js';
import type { OrderProcessor } from './processor.js';
import type { ShedWindow } from './shed-window.js';
import { parseOrderInput } from './validate.js';

export type IntakeMode = 'direct' | 'shed' | 'queue';

/** An HTTP answer: a status and a ready-made JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: string;
}

export const INVALID: Answer = { status: 400, body: '{"result":"invalid"}' };
export const TOO_LARGE: Answer = { status: 413, body: '{"result":"invalid"}' };
export const KAPUT: Answer = { status: 500, body: '{"result":"server-kaput"}' };
export const SHED_503: Answer = { status: 503, body: '{"result":"server-kaput"}', retryAfter: '1' };
export const UNAVAILABLE: Answer = { status: 503, body: '{"result":"unavailable"}' };

const MAX_KEY = 255;

export interface IntakeOptions {
  readonly mode: IntakeMode;
  readonly processor: OrderProcessor;
  readonly queue: OrderQueue | undefined;
  readonly shed: ShedWindow;
  readonly shedAnswer: Answer;
  readonly metrics: OrderMetrics;
  readonly logger: Logger;
}

/** POST /orders without the HTTP: validate, maybe shed, then process inline or enqueue. */
export class Intake {
  constructor(private readonly opts: IntakeOptions) {}

  async submit(body: unknown, idempotencyKey: string | undefined, acceptedAt: number): Promise<Answer> {
    const input = parseOrderInput(body);
    if (input === undefined) return INVALID;
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY)) {
      return INVALID;
    }
    const { mode, metrics } = this.opts;
    if (mode === 'shed' && !this.opts.shed.tryAdmit()) {
      metrics.workDone.error.inc();
      return this.opts.shedAnswer;
    }
    const order: Order = {
      id: orderId(input.username, idempotencyKey),
      productId: input.productId,
      count: input.count,
      username: input.username,
      acceptedAt,
    };
    try {
      if (mode === 'queue') await (this.opts.queue as OrderQueue).publish(order);
      else await this.opts.processor.process(order, 1);
    } catch (err) {
      return this.#failed(order, err);
    }
    return { status: 200, body: `{"result":"created","id":"${order.id}"}` };
  }

  #failed(order: Order, err: unknown): Answer {
    if (isOrderFault(err)) {
      this.opts.metrics.workDone.error.inc();
      if (err instanceof InjectedFault) return KAPUT;
      // Data the database refuses although it passed validation: the order's fault, not a retry case.
      this.opts.logger.warn({ id: order.id, err: describeError(err) }, 'order refused by the database');
      return INVALID;
    }
    // A backend that cannot take the order: the client sees an error, so it knows to retry.
    if (this.opts.mode !== 'queue') this.opts.metrics.workDone.error.inc();
    this.opts.logger.error({ id: order.id, err: describeError(err) }, 'order not accepted: backend failed');
    return UNAVAILABLE;
  }
}
