import { PeaklabError } from '../../shared/errors.js';
import { emptySecond } from '../part-result.js';
import { evaluateThresholds, parseThreshold, type Threshold } from '../thresholds.js';
import type { LoadResult, ThresholdOutcome } from '../types.js';
import type { StepResult } from './types.js';

/** A threshold on one step: "checkout: p99<50ms" (the step's name, a colon, a threshold). */
export interface StepThreshold {
  expression: string;
  step: string;
  threshold: Threshold;
}

/**
 * Splits a scenario's thresholds: those with "STEP: " before the expression judge that step (any
 * metric of a threshold: p99, p99[10s], errors, status_409, started, rate ...); the rest judge
 * flows. Throws PL_THRESHOLD_INVALID as parseThreshold does.
 */
export function splitThresholds(all: readonly string[]): { flows: string[]; steps: StepThreshold[] } {
  const flows: string[] = [];
  const steps: StepThreshold[] = [];
  for (const expression of all) {
    const colon = expression.lastIndexOf(':');
    if (colon < 0) {
      flows.push(expression);
      continue;
    }
    const step = expression.slice(0, colon).trim();
    if (step === '')
      throw new PeaklabError(
        'PL_THRESHOLD_INVALID',
        `threshold "${expression}": no step name before the colon`,
      );
    steps.push({
      expression,
      step,
      threshold: { ...parseThreshold(expression.slice(colon + 1)), expression },
    });
  }
  return { flows, steps };
}

/** A step seen as a run of its own (its calls as requests), so the one threshold evaluator judges it. */
function asResult(step: StepResult, run: LoadResult): LoadResult {
  const durationS = run.summary.durationMs / 1000;
  return {
    ...run,
    summary: {
      durationMs: run.summary.durationMs,
      scheduled: step.started,
      started: step.started,
      completed: step.completed,
      dropped: 0,
      late: 0,
      ok: step.ok,
      failed: step.failed,
      unfinished: step.unfinished,
      errorRate: step.completed === 0 ? 0 : step.failed / step.completed,
      targetRate: 0,
      achievedRate: durationS > 0 ? step.started / durationS : 0,
      status: step.status,
      errors: step.errors,
      bytesIn: 0,
      bytesOut: 0,
    },
    latency: step.latency,
    serviceTime: step.serviceTime,
    histograms: { ...step.histograms, schedulingLag: step.histograms.latency },
    timeline: step.timeline.map((t) => ({
      ...emptySecond(t.second),
      ...t,
      phase: run.timeline[t.second]?.phase ?? 'drain',
    })),
  };
}

/** Evaluates step thresholds; a step the run never called fails as "no data". */
export function evaluateStepThresholds(run: LoadResult, steps: readonly StepThreshold[]): ThresholdOutcome[] {
  return steps.map((t) => {
    const step = run.steps?.find((s) => s.name === t.step);
    if (!step) {
      return {
        expression: t.expression,
        passed: false,
        noData: true,
        actual: Number.NaN,
        detail: `no step named "${t.step}" ran (steps: ${(run.steps ?? []).map((s) => s.name).join(', ') || 'none'})`,
      };
    }
    return evaluateThresholds(asResult(step, run), [t.threshold])[0] as ThresholdOutcome;
  });
}
