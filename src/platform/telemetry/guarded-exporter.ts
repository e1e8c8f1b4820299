import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** What the guard reports: the first failure of an outage, and the recovery after it. */
export interface ExportEvents {
  failed(reason: string): void;
  recovered(): void;
}

/**
 * Wraps an exporter so a collector that is down never reaches the application and is logged once
 * per outage, not once per batch: the first failed export calls `failed`, later ones stay quiet
 * until an export succeeds again (`recovered`). Spans of a failed export are dropped, as the SDK
 * does; the batch processor's queue bound keeps memory flat meanwhile.
 */
export class GuardedExporter implements SpanExporter {
  #down = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly events: ExportEvents,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      this.inner.export(spans, (result) => {
        this.#note(result);
        done(result);
      });
    } catch (err) {
      const result = {
        code: ExportResultCode.FAILED,
        error: err instanceof Error ? err : new Error(String(err)),
      };
      this.#note(result);
      done(result);
    }
  }

  #note(result: ExportResult): void {
    try {
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.#down) this.events.recovered();
        this.#down = false;
      } else if (!this.#down) {
        this.#down = true;
        this.events.failed(result.error?.message ?? 'export failed');
      }
    } catch {
      // Telemetry never throws into the application.
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
