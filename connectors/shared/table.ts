/**
 * Turning spreadsheet rows (CSV, XLSX) into records: header naming, blank and group-header
 * rows, row filters. Shared by the csv and xlsx connectors.
 */
export interface RowFilter {
  column: string;
  pattern: string;
}

export interface TableOptions {
  headerRow: number;
  columns?: string[] | undefined;
  skipRowsAfterHeader: number;
  skipRowsWhere: RowFilter[];
  /** Skip rows with a single filled cell (remnants of merged group headings such as a province name). */
  skipGroupHeaderRows?: boolean;
  /** Carry the last group heading into each record under this column name. */
  groupHeaderColumn?: string | undefined;
}

/** Empty header cells become column1, column2… (by position); repeated names get _2, _3. */
export function columnNames(cells: readonly unknown[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, index) => {
    const base = cellText(cell) || `column${index + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

export function cellText(cell: unknown): string {
  if (cell === undefined || cell === null) return '';
  return String(cell).trim();
}

export function isBlankRow(cells: readonly unknown[]): boolean {
  return cells.every((cell) => cellText(cell) === '');
}

/** Rows → records, one row at a time (nothing is buffered). */
export class TableAssembler {
  private header: string[] | undefined;
  private rowNumber = 0;
  private afterHeader = 0;
  private group: string | undefined;
  private readonly filters: { column: string; pattern: RegExp }[];

  constructor(private readonly options: TableOptions) {
    this.filters = options.skipRowsWhere.map((filter) => ({ column: filter.column, pattern: new RegExp(filter.pattern) }));
    if (options.headerRow === 0) this.header = columnNames(options.columns ?? []);
  }

  get columns(): readonly string[] | undefined {
    return this.header;
  }

  /**
   * The record for a row, or undefined when the row is a header, preamble, blank or filtered row.
   * Sheets pass their own row number, since they leave empty rows out.
   */
  push(cells: readonly unknown[], rowNumber = this.rowNumber + 1): Record<string, unknown> | undefined {
    this.rowNumber = rowNumber;
    if (this.rowNumber < this.options.headerRow) return undefined;
    if (this.rowNumber === this.options.headerRow) {
      this.header = this.options.columns ? columnNames(this.options.columns) : columnNames(cells);
      return undefined;
    }
    if (this.afterHeader < this.options.skipRowsAfterHeader) {
      this.afterHeader += 1;
      return undefined;
    }
    if (isBlankRow(cells)) return undefined;
    const header = this.header ?? [];
    if (this.options.skipGroupHeaderRows && header.length >= 3 && cells.filter((cell) => cellText(cell) !== '').length === 1) {
      this.group = cells.map(cellText).find((text) => text !== '');
      return undefined;
    }
    const record: Record<string, unknown> = {};
    cells.forEach((cell, index) => {
      const name = header[index] ?? `column${index + 1}`;
      if (cell !== undefined) record[name] = cell;
    });
    if (this.filters.some((filter) => filter.pattern.test(cellText(record[filter.column])))) return undefined;
    if (this.options.groupHeaderColumn && this.group !== undefined) record[this.options.groupHeaderColumn] = this.group;
    return record;
  }
}
