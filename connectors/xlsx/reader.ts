import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { IngestError, sourceDataError } from '../../src/ingest/fetch/index.js';
import { withAuth } from '../shared/auth.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { TableAssembler } from '../shared/table.js';
import { plainCellValue } from './cells.js';
import { xlsxStateSchema, type XlsxConfig } from './config.js';

interface StreamRow {
  number: number;
  values: unknown[];
}
interface StreamSheet extends AsyncIterable<StreamRow> {
  name?: string;
}

/** Streams the chosen sheet row by row with exceljs' streaming reader. */
export async function* readXlsx(config: XlsxConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  parseState(xlsxStateSchema, state);
  const request = withAuth(config.url, { ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const input = Readable.from(response.stream());
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache', // number formats tell dates from numbers
    worksheets: 'emit',
    entries: 'emit',
  }) as unknown as AsyncIterable<StreamSheet>;
  const table = new TableAssembler(config);
  let position = 0;
  let found = false;
  try {
    for await (const sheet of workbook) {
      position += 1;
      if (!(typeof config.sheet === 'number' ? position === config.sheet : sheet.name === config.sheet)) continue;
      found = true;
      for await (const row of sheet) {
        const data = table.push(row.values.slice(1).map(plainCellValue), row.number);
        if (data) yield { type: 'record', record: toRawRecord(data, config) };
      }
      break;
    }
  } catch (error) {
    if (error instanceof IngestError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw sourceDataError(`XLSX 文件无法读取：${detail}`, `The XLSX file could not be read: ${detail}`, error);
  } finally {
    input.destroy();
  }
  if (!found) throw sourceDataError(`工作簿中没有工作表 ${config.sheet}`, `The workbook has no sheet ${config.sheet}`);
  yield { type: 'complete', state: {} };
}
