import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSpecFile, type CaseResult, type RunnerContext } from './runner.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the unified CRUD JSON files live: MONGO_SPEC_DIR, or the shared checkout beside the repo. */
export function specDirectory(): string {
  return path.resolve(REPO_ROOT, process.env.MONGO_SPEC_DIR ?? '../shared/mongo-spec/crud-unified');
}

/** Files the spec folder's README puts out of scope for the embedded server. */
const OUT_OF_SCOPE = [/-rawdata\.json$/, /^client-bulkWrite-/, /-serverError\.json$/, /-errorResponse\.json$/, /-readPreference\.json$/];

export function inScopeFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json') && !OUT_OF_SCOPE.some((pattern) => pattern.test(name)))
    .sort();
}

export interface ConformanceReport {
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Tests that ran but whose expectEvents (driver command monitoring) were not checked. */
  eventsUnchecked: number;
}

export async function runConformance(directory: string, context: RunnerContext): Promise<ConformanceReport> {
  const results: CaseResult[] = [];
  for (const file of inScopeFiles(directory)) {
    results.push(...(await runSpecFile(file, readFileSync(path.join(directory, file), 'utf8'), context)));
  }
  const count = (status: CaseResult['status']): number => results.filter((r) => r.status === status).length;
  return {
    results,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    eventsUnchecked: results.filter((r) => r.status !== 'skipped' && r.eventsUnchecked).length,
  };
}

/** A stable key for one test case: file name and test description. */
export function caseKey(file: string, description: string): string {
  return `${file} › ${description}`;
}

/** The summary block: the pass/fail line alone on its line, then skipped and the in-scope total. */
export function formatSummary(report: ConformanceReport): string {
  return [
    `conformance: ${report.passed} passed, ${report.failed} failed`,
    `conformance: ${report.skipped} skipped (by runOnRequirements)`,
    `conformance: ${report.results.length} in-scope test cases`,
    `conformance: expectEvents not checked in ${report.eventsUnchecked} of the executed cases (they test the driver)`,
  ].join('\n');
}
