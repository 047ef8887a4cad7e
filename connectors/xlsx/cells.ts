/**
 * exceljs cell values → plain JSON values: rich text joined, formulas by their result, dates as
 * wall-clock text (`2024-05-01` or `2024-05-01 08:30:00`) because Excel stores no timezone; the
 * mapping's date transform reads them in the feed's timezone.
 */
export function plainCellValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) {
    const text = value.toISOString().slice(0, 19).replace('T', ' ');
    return text.endsWith(' 00:00:00') ? text.slice(0, 10) : text;
  }
  if (typeof value !== 'object') return value;
  const cell = value as Record<string, unknown>;
  if (Array.isArray(cell.richText)) return (cell.richText as { text?: string }[]).map((run) => run.text ?? '').join('');
  if ('result' in cell) return plainCellValue(cell.result);
  if ('text' in cell) return plainCellValue(cell.text);
  if ('error' in cell) return undefined;
  return undefined;
}
