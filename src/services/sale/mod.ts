/**
 * The sale service's public API for other parts of peaklab (the lab, tests, benchmarks).
 */

import { openSql } from '../../platform/postgres/open.js';
import { createRuntime } from '../../platform/runtime.js';
import { silentLogger } from '../../shared/logger.js';
import { type AuditOptions, auditSaleIn, type SaleAudit } from './adapters/audit.js';
import { SALE_MIGRATIONS } from './adapters/sql-schema.js';

export type { AuditOptions, SaleAudit, SaleInvariants } from './adapters/audit.js';
export type { SaleConfig } from './config.js';
export { SALE_RULES, SALE_SPEC } from './config.js';
export { type RunningSale, startSale } from './service.js';

export interface SaleLedgerLocation {
  /** Postgres URL; unset = the PGlite directory. */
  readonly databaseUrl?: string;
  /** PGlite data directory (default `.peaklab/sale-pglite`). */
  readonly dataDir?: string;
  /** Postgres schema (default `public`). */
  readonly schema?: string;
}

/**
 * Audits a sale from the database the service wrote (for PGlite, after the service stopped: one
 * process per directory): each invariant as a named boolean plus the counts behind it. Resolves
 * undefined when the ledger holds no such sale. Throws PL_CONFIG_INVALID for a bad schema name,
 * PL_BACKEND_UNAVAILABLE when the database cannot be opened, or the database's error.
 */
export async function auditSale(
  where: SaleLedgerLocation = {},
  opts: AuditOptions = {},
): Promise<SaleAudit | undefined> {
  const rt = createRuntime({ name: 'sale-audit', logger: silentLogger(), defaultMetrics: false });
  try {
    const db = await openSql(rt, {
      url: where.databaseUrl,
      dataDir: where.dataDir ?? '.peaklab/sale-pglite',
      schema: where.schema ?? 'public',
      poolSize: 2,
      migrations: SALE_MIGRATIONS,
    });
    return await auditSaleIn(db.client, db.schema, opts);
  } finally {
    await rt.lifecycle.shutdown();
  }
}
