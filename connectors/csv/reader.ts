import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { IngestError, sourceDataError } from '../../src/ingest/fetch/index.js';
import { withAuth } from '../shared/auth.js';
import { decodeTextStream } from '../shared/charset.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { TableAssembler } from '../shared/table.js';
import { csvStateSchema, type CsvConfig } from './config.js';

/** Streams rows as they arrive: memory stays bounded by the parser's buffer, not the file. */
export async function* readCsv(config: CsvConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  parseState(csvStateSchema, state);
  const request = withAuth(config.url, { accept: 'text/csv, */*', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const text = Readable.from(decodeTextStream(response.stream(), { configured: config.encoding, contentType: response.headers.get('content-type') }));
  const parser = parse({ delimiter: config.delimiter, quote: config.quote, relax_column_count: true, skip_empty_lines: true });
  text.on('error', (error) => parser.destroy(error));
  text.pipe(parser);
  const table = new TableAssembler(config);
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      const data = table.push(cells);
      if (data) yield { type: 'record', record: toRawRecord(data, config) };
    }
  } catch (error) {
    if (error instanceof IngestError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw sourceDataError(`CSV 解析失败：${detail}`, `CSV could not be parsed: ${detail}`, error);
  } finally {
    text.destroy();
  }
  if (!table.columns) throw sourceDataError(`CSV 没有第 ${config.headerRow} 行表头`, `The CSV has no header row ${config.headerRow}`);
  yield { type: 'complete', state: {} };
}
