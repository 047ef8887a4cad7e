/**
 * Search benchmark: a generated corpus of realistic Chinese resources (recombined from the
 * demo catalogue's titles, summaries and bodies, with place names, years and document
 * numbers), 1,000 queries drawn from a realistic query list, p50/p95 latency and candidate
 * sizes of SearchService.search, against a `$regex` scan on title and body in the same run,
 * and the CPU time both processes spent per query (the machine is shared; CPU time is less
 * skewed by other tenants than wall time).
 *
 * Runs on the embedded server in its own process (or on MONGODB_URI when set).
 * `npx tsx bench/search.bench.ts`; BENCH_QUICK=1 shrinks the corpus to 10k.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Types } from 'mongoose';
import { connectStore, createModels, ensureIndexes, type Models } from '../src/db/index.js';
import { anonymousViewer, visibilityFilter } from '../src/domain/visibility/index.js';
import { computeSearchTerms, SearchService } from '../src/search/index.js';
import { createPrng, type Prng } from '../seeds/prng.js';
import { demoCorpus } from './support/corpus.js';
import { formatNumber, printTable, processCpuMs } from './support/measure.js';

const QUICK = process.env.BENCH_QUICK === '1';
const CORPUS_SIZE = QUICK ? 10_000 : 100_000;
const QUERY_COUNT = QUICK ? 200 : 1_000;
/** Regex scans are slow; a sample of the same query stream is enough for the ratio. */
const REGEX_QUERY_COUNT = QUICK ? 20 : 50;
const BATCH = 1_000;

/** What people type into a government-service search box. */
const QUERY_LIST = [
  '医保报销', '医保', '入学 材料', '法律援助 电话', '低保 申请', '公积金提取', '社保卡', '养老金', '居家养老',
  '高龄补贴', '残疾人证', '招聘会', '就业登记', '非遗', '文化活动', '疫苗接种', '家庭医生', '学历证明 补办',
  '出生医学证明', '老年助餐', '一件事', '医疗救助', '临时救助', '退役军人', '特困', '失业金', '职业技能培训',
  '义务教育 入学', '幼儿园', '助学金', '图书馆', '志愿服务', '人民调解', '公证', '春风行动', '银发经济',
  '就近办', '法律咨询', '参保缴费', '健康体检', '孕产妇', '儿童', '慢性病', '中职', '创业补贴', '社区', '讲座',
  '国办发〔2024〕12号', '国办发[2024]1号', 'yibao', 'shebao', 'dibao', 'gjj', '援助', '补办 身份证', '办理地点',
];

const DOC_PREFIXES = ['湖政办发', '湖人社发', '湖卫健发', '湖教发', '湖文旅发', '湖司发', '吴政发', '浔政办发', '浙政办发', '浙人社发'];

interface GeneratedDoc {
  _id: Types.ObjectId;
  title: string;
  [field: string]: unknown;
}

function generateCorpus(size: number, prng: Prng): { docs: GeneratedDoc[]; docNumbers: string[] } {
  const corpus = demoCorpus();
  const { seeds, sentences } = corpus;
  const docs: GeneratedDoc[] = [];
  const docNumbers: string[] = [];
  for (let i = 0; i < size; i++) {
    const base = prng.pick(seeds);
    const title = corpus.title(base, prng);
    const paragraphs = [base.body ?? '', ...Array.from({ length: prng.int(2, 6) }, () => `<p>${prng.pick(sentences)}。</p>`)];
    const year = prng.int(2012, 2026);
    const date = new Date(Date.UTC(year, prng.int(0, 11), prng.int(1, 28)));
    const doc: GeneratedDoc = {
      _id: new Types.ObjectId(),
      kind: base.kind,
      title,
      summary: base.summary,
      body: paragraphs.join(''),
      department: base.department,
      orgUnits: [],
      orgPaths: [],
      orgLevels: [prng.int(1, 4)],
      categories: base.categories ?? [],
      tags: base.tags ?? [],
      audience: base.audience ?? [],
      confidentiality: prng.chance(0.9) ? 'PUBLIC' : 'INTERNAL',
      status: prng.chance(0.95) ? 'PUBLISHED' : 'PENDING',
      provenance: [],
      version: 1,
      createdAt: date,
      updatedAt: date,
    };
    if (base.kind === 'POLICY') {
      const docNumber = prng.chance(0.05) ? base.docNumber : `${prng.pick(DOC_PREFIXES)}〔${year}〕${prng.int(1, 300)}号`;
      Object.assign(doc, {
        docNumber,
        issuers: base.issuers ?? [],
        publishedAt: date,
        validity: prng.chance(0.85) ? 'VALID' : prng.pick(['EXPIRED', 'REPEALED']),
      });
      if (docNumber && docNumbers.length < 200) docNumbers.push(docNumber);
    }
    if (base.kind === 'EVENT') Object.assign(doc, { startsAt: date });
    doc.searchTerms = computeSearchTerms(doc);
    docs.push(doc);
  }
  return { docs, docNumbers };
}

async function startServer(dataDir: string): Promise<{ uri: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./support/embedded-server-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) return { uri: (JSON.parse(line) as { uri: string }).uri, child };
  throw new Error('嵌入式服务器未启动 / The embedded server did not start');
}


/**
 * CPU milliseconds of this process and of the server process spent in `work`: on a shared
 * machine, wall-clock latency mostly measures the other tenants; CPU time much less so.
 */
async function cpuOf(serverPid: number | undefined, work: () => Promise<void>): Promise<{ client: number; server: number | undefined }> {
  const client = process.cpuUsage();
  const server = processCpuMs(serverPid);
  await work();
  const used = process.cpuUsage(client);
  const serverAfter = processCpuMs(serverPid);
  return { client: (used.user + used.system) / 1000, server: server === undefined || serverAfter === undefined ? undefined : serverAfter - server };
}

function cpuRows(
  index: { client: number; server: number | undefined },
  indexQueries: number,
  regex: { client: number; server: number | undefined },
  regexQueries: number,
): string[][] {
  const perQuery = (ms: number | undefined, queries: number) => (ms === undefined ? undefined : ms / queries);
  const row = (label: string, a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? [] : [[label, formatNumber(a), formatNumber(b), `${formatNumber(b / a)}×`]];
  const indexServer = perQuery(index.server, indexQueries);
  const regexServer = perQuery(regex.server, regexQueries);
  const indexClient = index.client / indexQueries;
  const regexClient = regex.client / regexQueries;
  return [
    ...row('client CPU per query (ms)', indexClient, regexClient),
    ...row('server CPU per query (ms)', indexServer, regexServer),
    ...row('client + server CPU per query (ms)', indexServer === undefined ? undefined : indexClient + indexServer, regexServer === undefined ? undefined : regexClient + regexServer),
  ];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface LoadedCorpus {
  size: number;
  docNumbers: string[];
  generationMs: number;
  loadMs: number;
  termCount: number;
  termBytes: number;
}

/**
 * Generates the corpus and inserts it. Only figures leave this function: a hub does not hold
 * its store in memory, and 100k generated documents (~1.3 GB) kept alive in this process
 * would make every young-generation GC during the searches trace them.
 */
async function loadCorpus(models: Models, prng: Prng, progress: (message: string) => void): Promise<LoadedCorpus> {
  const generationStarted = performance.now();
  const { docs, docNumbers } = generateCorpus(CORPUS_SIZE, prng);
  const generationMs = performance.now() - generationStarted;
  const termCount = docs.reduce((sum, doc) => sum + (doc.searchTerms as string[]).length, 0);
  const termBytes = docs.reduce((sum, doc) => sum + (doc.searchTerms as string[]).reduce((s, t) => s + Buffer.byteLength(t) + 1, 0), 0);
  progress(`generated ${docs.length} resources in ${formatNumber(generationMs / 1000)} s`);
  const loadStarted = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) {
    await models.Resource.collection.insertMany(docs.slice(i, i + BATCH), { ordered: false });
  }
  const loadMs = performance.now() - loadStarted;
  progress(`loaded in ${formatNumber(loadMs / 1000)} s`);
  return { size: docs.length, docNumbers, generationMs, loadMs, termCount, termBytes };
}

async function main(): Promise<void> {
  const prng = createPrng(20_241_201);
  const progress = (message: string) => process.stderr.write(`[search bench] ${message}\n`);
  const dataDir = process.env.MONGODB_URI ? undefined : await mkdtemp(join(tmpdir(), 'gx-search-bench-'));
  const server = dataDir ? await startServer(dataDir) : undefined;
  const uri = process.env.MONGODB_URI ?? server!.uri;
  const url = new URL(uri);
  url.pathname = `/search_bench_${Date.now()}`;
  const connection = await connectStore(url.toString());
  try {
    const models = createModels(connection);
    await ensureIndexes(models);
    const { size, docNumbers, generationMs, loadMs, termCount, termBytes } = await loadCorpus(models, prng, progress);
    const stats = await connection.db!.command({ collStats: 'resources' }).catch(() => undefined);
    const indexBytes = (stats?.indexSizes as Record<string, number> | undefined)?.searchTerms_1;

    const queries = Array.from({ length: QUERY_COUNT }, () =>
      prng.chance(0.1) ? prng.pick(docNumbers) : prng.pick(QUERY_LIST),
    );
    const service = new SearchService(models);
    for (const query of queries.slice(0, 20)) await service.search({ query, viewer: anonymousViewer });

    const latencies: number[] = [];
    const candidates: number[] = [];
    const serverPid = server?.child.pid;
    const indexCpu = await cpuOf(serverPid, async () => {
      for (const query of queries) {
        const started = performance.now();
        const page = await service.search({ query, viewer: anonymousViewer, first: 20 });
        latencies.push(performance.now() - started);
        candidates.push(page.totalCount);
      }
    });

    progress(`${latencies.length} searches done`);
    const regexLatencies: number[] = [];
    const regexCpu = await cpuOf(serverPid, async () => {
      for (const query of queries.slice(0, REGEX_QUERY_COUNT)) {
        const terms = query.split(/\s+/).filter(Boolean);
        const filter = {
          $and: [
            visibilityFilter(anonymousViewer),
            ...terms.map((term) => ({ $or: [{ title: { $regex: escapeRegex(term) } }, { body: { $regex: escapeRegex(term) } }] })),
          ],
        };
        const started = performance.now();
        await models.Resource.find(filter).select({ _id: 1, title: 1 }).lean();
        regexLatencies.push(performance.now() - started);
      }
    });

    const sorted = [...latencies].sort((a, b) => a - b);
    const regexSorted = [...regexLatencies].sort((a, b) => a - b);
    const candidateSorted = [...candidates].sort((a, b) => a - b);
    const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
    console.log(`Corpus ${CORPUS_SIZE.toLocaleString('en-US')} resources (generated in ${formatNumber(generationMs / 1000)} s, loaded in ${formatNumber(loadMs / 1000)} s), ${QUERY_COUNT} queries, store: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded server (separate process)'}\n`);
    printTable([
      ['measure', 'searchTerms index', '$regex scan (title, body)', 'ratio'],
      ['p50 latency (ms)', formatNumber(percentile(sorted, 50)), formatNumber(percentile(regexSorted, 50)), `${formatNumber(percentile(regexSorted, 50) / percentile(sorted, 50))}×`],
      ['p95 latency (ms)', formatNumber(percentile(sorted, 95)), formatNumber(percentile(regexSorted, 95)), `${formatNumber(percentile(regexSorted, 95) / percentile(sorted, 95))}×`],
      ['mean latency (ms)', formatNumber(mean(latencies)), formatNumber(mean(regexLatencies)), `${formatNumber(mean(regexLatencies) / mean(latencies))}×`],
      ['queries measured', String(latencies.length), String(regexLatencies.length), ''],
      ...cpuRows(indexCpu, latencies.length, regexCpu, regexLatencies.length),
    ]);
    console.log('');
    printTable([
      ['candidate set (visible matches scored in the database)', 'value'],
      ['p50', String(percentile(candidateSorted, 50))],
      ['p95', String(percentile(candidateSorted, 95))],
      ['max', String(candidateSorted[candidateSorted.length - 1])],
      ['mean', formatNumber(mean(candidates))],
    ]);
    console.log('');
    printTable([
      ['index size', 'value'],
      ['stored terms (index entries)', termCount.toLocaleString('en-US')],
      ['terms per resource (mean)', formatNumber(termCount / size)],
      ['term bytes (UTF-8 keys + 1 per entry)', `${formatNumber(termBytes / 1_048_576)} MiB`],
      ['searchTerms_1 size reported by collStats', indexBytes === undefined ? 'not reported by this store' : `${formatNumber(indexBytes / 1_048_576)} MiB`],
    ]);
  } finally {
    await connection.close();
    if (server) {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
