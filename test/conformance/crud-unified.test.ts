import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeIsEmbedded, testMongoUri } from '../support/mongo.js';
import { listedConformanceCases } from './known-differences.js';
import { probeServer } from './requirements.js';
import {
  caseKey,
  formatSummary,
  inScopeFiles,
  REPO_ROOT,
  runConformance,
  specDirectory,
  type ConformanceReport,
} from './suite.js';

/**
 * The MongoDB driver specification's unified CRUD tests, run through the real driver against
 * the suite's store. Failures the embedded server cannot avoid are listed, with reasons, in
 * docs/embedded-mongo.md; the list must stay exact in both directions.
 */
const MIN_PASS_RATE = 0.95;
const directory = specDirectory();
const files = inScopeFiles(directory);
const knownDifferencesDoc = path.join(REPO_ROOT, 'docs/embedded-mongo.md');

describe('unified CRUD conformance (driver specification tests)', () => {
  if (files.length === 0) {
    console.log(`conformance: skipped, no spec files in ${directory} (set MONGO_SPEC_DIR to the crud-unified folder)`);
    it.skip(`skipped: the spec folder ${directory} is absent`, () => {});
    return;
  }

  let internal: MongoClient | undefined;
  let report: ConformanceReport;

  beforeAll(async () => {
    internal = new MongoClient(testMongoUri(), { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 10_000 });
    await internal.connect();
    const server = await probeServer(internal);
    console.log(`conformance: server ${server.version}, topology ${server.topology}, ${files.length} in-scope files`);
    report = await runConformance(directory, { uri: testMongoUri(), internal, server });
    for (const result of report.results.filter((r) => r.status === 'failed')) {
      console.log(`FAILED ${caseKey(result.file, result.description)}: ${result.reason ?? ''}`);
    }
  }, 180_000);

  afterAll(async () => {
    await internal?.close();
    if (report) console.log(formatSummary(report));
  });

  it(`passes at least ${MIN_PASS_RATE * 100}% of the in-scope cases the server's version and topology allow`, () => {
    const executed = report.passed + report.failed;
    expect(executed).toBeGreaterThan(0);
    expect(report.passed / executed).toBeGreaterThanOrEqual(MIN_PASS_RATE);
  });

  it.runIf(storeIsEmbedded())('lists every failing case in docs/embedded-mongo.md', () => {
    const listed = listedConformanceCases(knownDifferencesDoc);
    const unlisted = report.results
      .filter((r) => r.status === 'failed' && !listed.has(caseKey(r.file, r.description)))
      .map((r) => `${caseKey(r.file, r.description)}: ${r.reason ?? ''}`);
    expect(unlisted).toEqual([]);
  });

  it.runIf(storeIsEmbedded())('lists no case that passes, is skipped, or does not exist', () => {
    const failing = new Set(report.results.filter((r) => r.status === 'failed').map((r) => caseKey(r.file, r.description)));
    const stale = [...listedConformanceCases(knownDifferencesDoc).keys()].filter((key) => !failing.has(key));
    expect(stale).toEqual([]);
  });
});
