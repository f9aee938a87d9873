// Quoting for the few places where SQL text must be built (COPY takes no bind parameters;
// identifiers come from the catalogue). Everything else passes values as parameters.

export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}
