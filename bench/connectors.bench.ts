/**
 * Format connectors: rows/s of the CSV and REST readers (safe fetch, decoding, parsing, keys) and
 * of read + declarative mapping, each next to a bare baseline in the same run (node:http +
 * csv-parse / JSON.parse with nothing else); and peak RSS reading 100k vs 1M CSV rows, each in
 * its own process, to show that reading streams.
 *
 *   npx tsx bench/connectors.bench.ts        (BENCH_QUICK=1 shrinks the sizes)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { csvConfigSchema, csvConnector } from '../connectors/csv/index.js';
import { restConfigSchema, restConnector } from '../connectors/rest/index.js';
import type { ReadContext } from '../connectors/contract.js';
import { createSafeFetch } from '../src/ingest/fetch/index.js';
import { formatNumber, opsPerSecond, printTable, timed, type Measured } from './support/measure.js';

const quick = process.env.BENCH_QUICK === '1';
const ROWS = quick ? 20_000 : 100_000;
const MEMORY_SMALL = quick ? 20_000 : 100_000;
const MEMORY_LARGE = quick ? 200_000 : 1_000_000;
const PAGE_SIZE = 1_000;

const csvLine = (i: number) => `${String(i).padStart(8, '0')},公共服务事项${i},"身份证；户口本；申请表",2024年5月${(i % 28) + 1}日,${i % 30}\n`;
const jsonRecord = (i: number) => ({ id: String(i).padStart(8, '0'), name: `公共服务事项${i}`, materials: '身份证；户口本；申请表', date: `2024年5月${(i % 28) + 1}日`, days: i % 30 });

/** Serves /data.csv?rows=N generated on the fly (never held in memory) and /items?page=&size=. */
async function startSource(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/data.csv') {
      const rows = Number(url.searchParams.get('rows'));
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.write('编号,名称,材料,日期,时限\n');
      let i = 0;
      const pump = (): void => {
        while (i < rows) {
          let chunk = '';
          for (let n = 0; n < 500 && i < rows; n++) chunk += csvLine(i++);
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    const page = Number(url.searchParams.get('page'));
    const size = Number(url.searchParams.get('size'));
    const total = Number(url.searchParams.get('total'));
    const items = [];
    for (let i = (page - 1) * size; i < Math.min(page * size, total); i++) items.push(jsonRecord(i));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ total, items }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const context = (): ReadContext => ({
  signal: new AbortController().signal,
  fetch: createSafeFetch({ allowlist: ['127.0.0.1'], maxBytes: 1024 * 1024 * 1024 }),
  log: () => undefined,
});

const mapping = {
  kind: 'SERVICE',
  constants: { department: 'health' },
  fields: [
    { target: 'itemCode', source: '编号' },
    { target: 'title', source: '名称', transforms: [{ op: 'trim' }] },
    { target: 'materials', source: '材料', transforms: [{ op: 'split' }] },
    { target: 'timeLimitDays', source: '时限', transforms: [{ op: 'number', integer: true }] },
    { target: 'summary', source: '日期', transforms: [{ op: 'date' }, { op: 'string' }] },
  ],
};

function csvConfig(base: string, rows: number) {
  return csvConfigSchema.parse({ url: `${base}/data.csv?rows=${rows}`, idPath: '编号', mapping });
}

async function bareCsv(base: string, rows: number): Promise<number> {
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    http.get(`${base}/data.csv?rows=${rows}`, (res) => {
      const parser = parse({ columns: true });
      res.pipe(parser);
      parser.on('data', () => (count += 1));
      parser.on('end', resolve);
      parser.on('error', reject);
    });
  });
  return count;
}

async function connectorCsv(base: string, rows: number, map: boolean): Promise<number> {
  const config = csvConfig(base, rows);
  let count = 0;
  for await (const event of csvConnector.read(config, undefined, context())) {
    if (event.type !== 'record') continue;
    if (map && !csvConnector.map(event.record, config).ok) throw new Error('mapping failed');
    count += 1;
  }
  return count;
}

const agent = new http.Agent({ keepAlive: true });
async function bareJson(base: string, total: number): Promise<number> {
  let count = 0;
  for (let page = 1; (page - 1) * PAGE_SIZE < total; page++) {
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`${base}/items?page=${page}&size=${PAGE_SIZE}&total=${total}`, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
    });
    count += (JSON.parse(body) as { items: unknown[] }).items.length;
  }
  return count;
}

async function connectorJson(base: string, total: number, map: boolean): Promise<number> {
  const config = restConfigSchema.parse({
    url: `${base}/items?total=${total}`,
    recordsPath: 'items',
    idPath: 'id',
    pagination: { type: 'page', sizeParam: 'size', pageSize: PAGE_SIZE, totalPath: 'total' },
    mapping: { ...mapping, fields: [{ target: 'itemCode', source: 'id' }, { target: 'title', source: 'name' }, { target: 'materials', source: 'materials', transforms: [{ op: 'split' }] }] },
  });
  let count = 0;
  for await (const event of restConnector.read(config, undefined, context())) {
    if (event.type !== 'record') continue;
    if (map && !restConnector.map(event.record, config).ok) throw new Error('mapping failed');
    count += 1;
  }
  return count;
}

async function measure(rows: number, work: () => Promise<number>): Promise<Measured> {
  let seen = 0;
  const result = await timed(rows, async () => {
    seen = await work();
  });
  if (seen !== rows) throw new Error(`expected ${rows} records, saw ${seen}`);
  return result;
}

/** Child mode: read N CSV rows through the connector and print the peak RSS in MiB. */
async function memoryChild(rows: number): Promise<void> {
  const source = await startSource();
  const seen = await connectorCsv(source.url, rows, true);
  source.close();
  if (seen !== rows) throw new Error(`expected ${rows}, saw ${seen}`);
  console.log(JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function peakRss(rows: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'memory-child', String(rows)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`memory child exited with ${code}`);
  return (JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { peakRssMiB: number }).peakRssMiB;
}

async function main(): Promise<void> {
  const source = await startSource();
  await connectorCsv(source.url, 2_000, true); // warm-up
  const csvBare = await measure(ROWS, () => bareCsv(source.url, ROWS));
  const csvRead = await measure(ROWS, () => connectorCsv(source.url, ROWS, false));
  const csvMapped = await measure(ROWS, () => connectorCsv(source.url, ROWS, true));
  const jsonBare = await measure(ROWS, () => bareJson(source.url, ROWS));
  const jsonRead = await measure(ROWS, () => connectorJson(source.url, ROWS, false));
  const jsonMapped = await measure(ROWS, () => connectorJson(source.url, ROWS, true));
  source.close();
  agent.destroy();

  const row = (name: string, result: Measured, baseline: Measured) => [
    name,
    formatNumber(opsPerSecond(result)),
    formatNumber(result.ms / 1000),
    `${(result.ms / baseline.ms).toFixed(2)}×`,
  ];
  console.log(`\nThroughput, ${ROWS.toLocaleString('en-US')} records served locally (ratio = time ÷ bare baseline's time)\n`);
  printTable([
    ['reader', 'records/s', 'seconds', 'vs baseline'],
    row('CSV bare (node:http + csv-parse)', csvBare, csvBare),
    row('CSV connector read', csvRead, csvBare),
    row('CSV connector read + map', csvMapped, csvBare),
    row(`JSON pages bare (node:http + JSON.parse, ${PAGE_SIZE}/page)`, jsonBare, jsonBare),
    row('REST connector read', jsonRead, jsonBare),
    row('REST connector read + map', jsonMapped, jsonBare),
  ]);

  const small = await peakRss(MEMORY_SMALL);
  const large = await peakRss(MEMORY_LARGE);
  console.log('\nPeak RSS reading + mapping a CSV through the connector, each size in its own process\n');
  printTable([
    ['rows', 'peak RSS (MiB)', 'vs smaller'],
    [MEMORY_SMALL.toLocaleString('en-US'), formatNumber(small), '1.00×'],
    [MEMORY_LARGE.toLocaleString('en-US'), formatNumber(large), `${(large / small).toFixed(2)}×`],
  ]);
}

if (process.argv[2] === 'memory-child') await memoryChild(Number(process.argv[3]));
else await main();
