// Reads which tables a model's SQL reads, with PostgreSQL's own parser (libpg-query), so a
// name in a comment, a string or a CTE is never mistaken for a table, and a syntax error is
// reported with its position before anything runs.
import { parse } from 'libpg-query'

export interface TableReference {
  schema: string
  table: string
}

export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number | undefined,
  ) {
    super(message)
  }
}

/** Every schema-qualified table or view the statement reads (RangeVar nodes of the parse tree). */
export async function tableReferences(sql: string): Promise<TableReference[]> {
  let tree: unknown
  try {
    tree = await parse(sql)
  } catch (error) {
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition
    throw new SqlSyntaxError((error as Error).message, cursor)
  }
  const found = new Map<string, TableReference>()
  visit(tree, (node) => {
    const rangeVar = (node as { RangeVar?: { schemaname?: string; relname: string } }).RangeVar
    if (rangeVar?.schemaname) {
      found.set(`${rangeVar.schemaname}.${rangeVar.relname}`, { schema: rangeVar.schemaname, table: rangeVar.relname })
    }
  })
  return [...found.values()]
}

function visit(node: unknown, onNode: (node: object) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, onNode)
  } else if (node !== null && typeof node === 'object') {
    onNode(node)
    for (const value of Object.values(node)) visit(value, onNode)
  }
}

/** Line and column of a character offset, for error messages that point into a file. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}
