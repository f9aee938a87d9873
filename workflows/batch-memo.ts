// What the Web UI shows of a quarantine batch in its memo: counts per table and rule, and where
// its files are.
import type { QuarantineBatchSummary } from '../lib/contract.ts'

export function batchMemo(summary: QuarantineBatchSummary): Record<string, unknown> {
  return {
    status: summary.status,
    rowsOpen: summary.rowsOpen,
    rowsHeld: summary.rowsHeld,
    files: summary.objectPrefix,
    correctedFilesGoTo: summary.correctedPrefix,
    tables: Object.fromEntries(
      summary.tables.map((table) => [
        table.tableName,
        { rowsOpen: table.rowsOpen, file: table.file, rules: table.rules },
      ]),
    ),
  }
}
