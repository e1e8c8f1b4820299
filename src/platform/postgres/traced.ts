import { type DbTarget, dbSpan, sqlOperation } from '../telemetry/spans.js';
import type { SqlClient } from './client.js';

/**
 * `client` with a CLIENT span per statement (see dbSpan): `INSERT <db>`, `SELECT <db>`. Used only
 * when tracing is on, so an untraced service pays nothing. A statement's operation is parsed once.
 */
export function tracedSqlClient(client: SqlClient, target: DbTarget): SqlClient {
  const ops = new Map<string, string>();
  return {
    query(text, params) {
      let op = ops.get(text);
      if (op === undefined) {
        op = sqlOperation(text);
        if (ops.size < 1000) ops.set(text, op);
      }
      return dbSpan(target, op, text, () => client.query(text, params));
    },
  };
}
