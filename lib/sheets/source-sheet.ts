// What the workbook and CSV readers hand to the sheet reader: sheets of rows of raw cells,
// streamed, so that neither format decides how a header is found or a cell is parsed.

export interface SourceRow {
  /** 1-based, as the spreadsheet program numbers the row. */
  number: number
  /** Cells by 0-based column index, as exceljs or csv-parse gave them. */
  cells: readonly unknown[]
}

export interface SourceSheet {
  name: string
  /** The names of every sheet in the file, known before any sheet is read. */
  fileSheetNames: readonly string[]
  /** Stop early with rows.return(): the next sheet can still be read. */
  rows: AsyncGenerator<SourceRow>
}
