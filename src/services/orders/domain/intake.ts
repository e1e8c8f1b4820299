import type { Logger } from 'pino';
import { describeError } from '../../../shared/errors.js';
import { InjectedFault, isOrderFault } from './faults.js';
import { type Order, orderId } from './order.js';
import type { OrderMeter, OrderQueue } from './ports.js';
import type { OrderProcessor } from './processor.js';
import type { ShedWindow } from './shed-window.js';
import { parseOrderInput } from './validate.js';

export type IntakeMode = 'direct' | 'shed' | 'queue';

/**
 * What became of one submitted order. The HTTP adapter maps each to a status and body:
 * - `created`: accepted (direct/shed: processed and committed; queue: taken by the queue);
 * - `invalid`: the input, or data the store refused, is not a valid order;
 * - `shed`: over the shed limit;
 * - `failed`: an injected processing fault (direct/shed);
 * - `unavailable`: a backend could not take it; it was not accepted, so a retry is safe.
 */
export type IntakeOutcome =
  | { readonly kind: 'created'; readonly id: string }
  | { readonly kind: 'invalid' | 'shed' | 'failed' | 'unavailable' };

export const INVALID: IntakeOutcome = { kind: 'invalid' };
const SHED: IntakeOutcome = { kind: 'shed' };
const FAILED: IntakeOutcome = { kind: 'failed' };
const UNAVAILABLE: IntakeOutcome = { kind: 'unavailable' };

/** The longest Idempotency-Key accepted, in UTF-16 units. */
const MAX_KEY = 255;

export interface IntakeOptions {
  readonly mode: IntakeMode;
  readonly processor: OrderProcessor;
  /** Required in queue mode. */
  readonly queue: OrderQueue | undefined;
  readonly shed: ShedWindow;
  readonly meter: OrderMeter;
  readonly logger: Logger;
}

/** Submitting an order, without the transport: validate, maybe shed, then process inline or enqueue. */
export class Intake {
  constructor(private readonly opts: IntakeOptions) {}

  /** `body` is the parsed JSON; `acceptedAt` is epoch ms. Never throws. */
  async submit(
    body: unknown,
    idempotencyKey: string | undefined,
    acceptedAt: number,
  ): Promise<IntakeOutcome> {
    const input = parseOrderInput(body);
    if (input === undefined) return INVALID;
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY)) {
      return INVALID;
    }
    const { mode, meter } = this.opts;
    if (mode === 'shed' && !this.opts.shed.tryAdmit()) {
      meter.error.inc();
      return SHED;
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
    return { kind: 'created', id: order.id };
  }

  #failed(order: Order, err: unknown): IntakeOutcome {
    if (isOrderFault(err)) {
      this.opts.meter.error.inc();
      if (err instanceof InjectedFault) return FAILED;
      // Data the database refuses although it passed validation: the order's fault, not a retry case.
      this.opts.logger.warn({ id: order.id, err: describeError(err) }, 'order refused by the database');
      return INVALID;
    }
    // A backend that cannot take the order: the client sees an error, so it knows to retry.
    if (this.opts.mode !== 'queue') this.opts.meter.error.inc();
    this.opts.logger.error({ id: order.id, err: describeError(err) }, 'order not accepted: backend failed');
    return UNAVAILABLE;
  }
}
