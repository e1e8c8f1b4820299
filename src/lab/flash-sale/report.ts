import { accountingLines } from '../../load/report-text.js';
import { stepCharts, stepsTable } from '../../load/scenario/report.js';
import type { StepResult } from '../../load/scenario/types.js';
import type { LoadResult } from '../../load/types.js';
import { escapeHtml, renderHtmlReport, renderTable, type Section } from '../../report/mod.js';
import type { FlashSaleResult } from './types.js';

/** One row per second: each step's ok, failed and p50/p90/p99 in that second. */
function perSecondTable(steps: readonly StepResult[]): string {
  const seconds = Math.max(0, ...steps.map((s) => s.timeline.length));
  const head = ['second'];
  for (const s of steps) head.push(`${s.name} ok`, `${s.name} failed`, 'p50 ms', 'p90 ms', 'p99 ms');
  const rows = Array.from({ length: seconds }, (_, i) => {
    const row: (string | number)[] = [i];
    for (const s of steps) {
      const t = s.timeline[i];
      row.push(t?.ok ?? 0, t?.failed ?? 0, t?.p50Ms ?? 0, t?.p90Ms ?? 0, t?.p99Ms ?? 0);
    }
    return row;
  });
  return renderTable({ head, rows, className: 'compact' });
}

function auditTable(r: FlashSaleResult): string {
  const c = r.auditCounts;
  const detail: Record<keyof FlashSaleResult['audit'], string> = {
    soldEqualsItems: `${c.sold} purchases recorded, ${r.settings.items} items`,
    noUserOverLimit: `most by one user: ${c.maxPerUser}, limit ${r.settings.userLimit}`,
    noItemSoldTwice: `${c.sold} purchases`,
    checkoutsPersisted: `${c.checkouts} checkout rows, ${r.checkoutsAnswered} checkouts answered (${r.checkoutsUnanswered} without a recorded answer)`,
    noOversell: `${c.sold} ≤ ${r.settings.items}, every item in 1..${r.settings.items}`,
    codesSingleUse: 'each purchase a distinct code',
    purchasesMatchCheckouts: 'each purchase’s code issued to that user for that item, used before it expired',
  };
  return renderTable({
    head: ['invariant', 'holds', 'counts'],
    rows: Object.entries(r.audit).map(([k, v]) => [k, v ? 'yes' : 'NO', detail[k as keyof typeof detail]]),
  });
}

function identitiesTable(r: FlashSaleResult): string {
  const s = r.flows.summary;
  const acc = accountingLines({ summary: s } as LoadResult);
  const purchases = r.steps.find((x) => x.name === 'purchase')?.status['200'] ?? 0;
  return renderTable({
    head: ['identity', 'holds', 'numbers'],
    rows: [
      ['flows: scheduled = started + dropped', r.identities.flowsScheduled ? 'yes' : 'NO', acc.requests],
      ['flows: started = ok + failed + unfinished', r.identities.flowsOutcomes ? 'yes' : 'NO', acc.outcomes],
      [
        'steps: started = ok + failed + unfinished',
        r.identities.steps ? 'yes' : 'NO',
        r.steps.map((x) => `${x.name}: ${x.started} = ${x.ok} + ${x.failed} + ${x.unfinished}`).join('; '),
      ],
      [
        'purchases answered 200 = purchases recorded',
        r.identities.purchasesRecorded ? 'yes' : 'NO',
        `${purchases} answered, ${r.auditCounts.sold} recorded`,
      ],
    ],
  });
}

function outcomesTable(r: FlashSaleResult): string {
  const total = Object.values(r.outcomes).reduce((a, b) => a + b, 0);
  const rows = Object.entries(r.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => [k, v, total === 0 ? 0 : (100 * v) / total]);
  return renderTable({ head: ['step, status, answer', 'count', '% of answers'], rows });
}

/** report.html: answers, the audit, identities, the steps, the outcome mix, per-second results. */
export function renderFlashSaleReport(r: FlashSaleResult): string {
  const s = r.settings;
  const sections: Section[] = [
    {
      title: 'Answers',
      html: r.answers
        .map((a) => `<p><strong>${escapeHtml(a.question)}</strong> ${escapeHtml(a.answer)}</p>`)
        .join(''),
    },
    {
      title: 'Invariant audit (read from the database after the service stopped)',
      html: auditTable(r),
    },
    { title: 'Accounting', html: identitiesTable(r) },
    {
      title: 'Steps',
      html: `<p>Each step is timed from its call, so a wait for a free connection counts; flows from their intended start.</p>${stepsTable(r.steps)}`,
      charts: stepCharts(r.steps, 'flash'),
    },
    {
      title: 'Outcome mix',
      html: `${outcomesTable(r)}<p>Every flow that did not buy is in ${escapeHtml(r.errorsFile)} (one JSON line each: its step, status and body).</p>`,
    },
    { title: 'Per second', html: perSecondTable(r.steps) },
    {
      title: 'Settings',
      html: renderTable({
        head: ['setting', 'value'],
        rows: [
          ['backends', `${r.backends.database} + ${r.backends.hotPath}`],
          ['service', `peaklab ${r.service.args.join(' ')}`],
          ['items, user limit', `${s.items}, ${s.userLimit}`],
          ['flows', `constant ${s.rate}/s for ${s.durationMs / 1000} s (open model)`],
          ['mix (api.vars)', JSON.stringify(s.mix)],
          ['seed', String(s.seed)],
        ],
      }),
    },
  ];
  return renderHtmlReport({
    title: 'peaklab lab flash-sale',
    subtitle: `${s.items} items, ${r.backends.database} + ${r.backends.hotPath}; started ${r.startedAt}`,
    sections,
  });
}
