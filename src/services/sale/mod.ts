/**
 * The sale service's public API for other parts of peaklab (the lab, tests, benchmarks).
 */

import { openSqlReader, type SqlLocation } from '../../platform/postgres/reader.js';
import { type AuditOptions, auditSaleIn, type SaleAudit } from './adapters/audit.js';
import { SALE_MIGRATIONS } from './adapters/sql-schema.js';

export type { AuditOptions, SaleAudit, SaleInvariants } from './adapters/audit.js';
export type { SaleConfig } from './config.js';
export { SALE_RULES, SALE_SPEC } from './config.js';
export { type RunningSale, startSale } from './service.js';

/** Where the sale's ledger is: a Postgres URL and schema, or a PGlite directory. */
export type SaleLedgerLocation = SqlLocation;

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
  const reader = await openSqlReader(where, '.peaklab/sale-pglite', SALE_MIGRATIONS);
  try {
    return await auditSaleIn(reader.db.client, reader.db.schema, opts);
  } finally {
    await reader.close();
  }
}
