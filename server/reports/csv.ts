/**
 * CSV for spreadsheets: UTF-8 with a BOM (Excel otherwise guesses GBK and garbles Chinese), RFC
 * 4180 quoting, CRLF. Text that a spreadsheet would run as a formula is neutralised, and rows
 * about fewer than k people have their figures suppressed.
 */

export type Cell = string | number | null;

export interface CsvRow {
  cells: Cell[];
  /** the number of people (or, where unknown, visits/events) the row is about; null: never suppressed */
  count: number | null;
  /** cells replaced by `<k` when suppressed */
  figures: number[];
  /** free-text cells replaced by （已隐藏） when suppressed (search terms) */
  texts?: number[];
}

export interface CsvTable {
  headers: string[];
  rows: CsvRow[];
}

export const BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: formula-looking text gets a leading apostrophe; quotes when needed (RFC 4180). */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Whether a row is a small cell: some people, but fewer than k. Zero discloses nobody. */
export const isSmallCell = (count: number | null, k: number) => count !== null && count > 0 && count < k;

export function renderCsv(table: CsvTable, minCell: number): string {
  const lines = [table.headers.map(csvCell).join(',')];
  for (const row of table.rows) {
    const cells: Cell[] = [...row.cells];
    if (isSmallCell(row.count, minCell)) {
      for (const i of row.figures) cells[i] = `<${minCell}`;
      for (const i of row.texts ?? []) cells[i] = '（已隐藏）';
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return BOM + lines.join('\r\n') + '\r\n';
}
