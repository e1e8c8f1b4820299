/** A plain SQL identifier: a letter or underscore, then letters, digits, underscores; at most 63. */
const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isIdentifier(name: string): boolean {
  return IDENT.test(name);
}

/**
 * A plain identifier, double-quoted for SQL. Throws on anything else: identifiers cannot be bound
 * parameters, so this check is what keeps a schema name from becoming SQL.
 */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name)) throw new Error(`"${name}" is not a plain SQL identifier`);
  return `"${name}"`;
}
