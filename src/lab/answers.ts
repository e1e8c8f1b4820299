import type { AnswerInput } from './answer-context.js';
import { answerGuarantee } from './answer-guarantee.js';
import { answerLatency } from './answer-latency.js';
import { answerMetrics } from './answer-metrics.js';
import type { Answer } from './types.js';

export type { AnswerInput } from './answer-context.js';

/** The seed's three questions, answered from this run's numbers. */
export function answerQuestions(input: AnswerInput): Answer[] {
  return [answerLatency(input), answerGuarantee(input), answerMetrics(input)];
}
