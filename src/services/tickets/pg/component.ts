import type { Migrations } from '../../../platform/postgres/migrate.js';
import { TICKETS_COMPONENT, ticketMigrations } from './migrations.js';

/**
 * The tickets component for the platform's migration runner, for the schema it runs in: the
 * steps name their tables with the schema (so they also run where no search_path is set).
 * Throws a RangeError for a schema that is not a lowercase identifier.
 */
export function ticketComponent(schema: string): Migrations {
  return { component: TICKETS_COMPONENT, steps: ticketMigrations(schema) };
}
