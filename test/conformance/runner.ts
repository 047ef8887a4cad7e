import { BSONError, EJSON } from 'bson';
import { MongoError, MongoOperationTimeoutError, MongoServerError, type Document, type MongoClient } from 'mongodb';
import { EntityMap, RunnerError } from './entities.js';
import { describe as describeValue, matchValue } from './matcher.js';
import { executeOperation, type FailPointRecord, type OperationContext } from './operations.js';
import { unmetRequirements, type ServerFacts } from './requirements.js';
import {
  specFileSchema,
  type CollectionData,
  type ExpectedError,
  type Operation,
  type SpecFile,
  type TestCase,
} from './spec-format.js';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseResult {
  file: string;
  description: string;
  status: CaseStatus;
  /** Why it failed or was skipped. */
  reason?: string;
  /** The test lists expectEvents, which this runner does not check (they test the driver). */
  eventsUnchecked: boolean;
}

export interface RunnerContext {
  /** The URI that test entities (clients) connect to. */
  uri: string;
  /** A client of the runner's own, for initialData, outcome and fail points. */
  internal: MongoClient;
  server: ServerFacts;
}

/** Runs every test of one spec file; each test yields exactly one result. */
export async function runSpecFile(fileName: string, text: string, context: RunnerContext): Promise<CaseResult[]> {
  const parsed = specFileSchema.safeParse(parseExtendedJson(text));
  if (!parsed.success) {
    const reason = `invalid or unsupported test file: ${parsed.error.message.slice(0, 300)}`;
    return rawTestDescriptions(text).map((description) => ({
      file: fileName,
      description,
      status: 'failed',
      reason,
      eventsUnchecked: false,
    }));
  }
  const results: CaseResult[] = [];
  for (const [index, test] of parsed.data.tests.entries()) {
    const base = { file: fileName, description: test.description };
    const skipReason =
      unmetRequirements(parsed.data.runOnRequirements, context.server) ??
      unmetRequirements(test.runOnRequirements, context.server) ??
      test.skipReason;
    if (skipReason) {
      results.push({ ...base, status: 'skipped', reason: skipReason, eventsUnchecked: false });
      continue;
    }
    // A fresh parse per test: the driver adds _id to the documents it is given.
    const fresh = specFileSchema.parse(parseExtendedJson(text));
    const failure = await runTestCase(fresh, fresh.tests[index]!, context);
    results.push({
      ...base,
      status: failure === null ? 'passed' : 'failed',
      ...(failure === null ? {} : { reason: failure }),
      eventsUnchecked: test.expectEvents !== undefined,
    });
  }
  return results;
}

function parseExtendedJson(text: string): unknown {
  return EJSON.parse(text, { relaxed: true });
}

function rawTestDescriptions(text: string): string[] {
  try {
    const raw = JSON.parse(text) as { tests?: { description?: unknown }[] };
    const descriptions = (raw.tests ?? []).map((test) => String(test.description));
    return descriptions.length > 0 ? descriptions : ['(whole file)'];
  } catch {
    return ['(whole file)'];
  }
}

/** Null when the test passes, otherwise the reason it does not. */
async function runTestCase(file: SpecFile, test: TestCase, context: RunnerContext): Promise<string | null> {
  const entities = new EntityMap(context.uri);
  const failPoints: FailPointRecord[] = [];
  try {
    await loadInitialData(file.initialData ?? [], context.internal);
    await entities.create(file.createEntities ?? []);
    for (const [index, operation] of test.operations.entries()) {
      const mismatch = await runOperation(operation, { entities, failPoints });
      if (mismatch) return `operation ${index + 1} (${operation.object}.${operation.name}): ${mismatch}`;
    }
    return await checkOutcome(test.outcome ?? [], context.internal, entities);
  } catch (error) {
    const origin = error instanceof RunnerError ? 'runner' : 'setup/teardown';
    return `${origin} error: ${errorSummary(error)}`;
  } finally {
    await disableFailPoints(failPoints);
    await entities.close();
  }
}

/** Drops each collection and fills it with the given documents (or creates it empty). */
async function loadInitialData(initialData: CollectionData[], internal: MongoClient): Promise<void> {
  const majority = { writeConcern: { w: 'majority' as const } };
  for (const data of initialData) {
    const db = internal.db(data.databaseName);
    try {
      await db.dropCollection(data.collectionName, majority);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 26)) throw error;
    }
    if (data.createOptions || data.documents.length === 0) {
      await db.createCollection(data.collectionName, { ...data.createOptions, ...majority });
    }
    if (data.documents.length > 0) await db.collection(data.collectionName).insertMany(data.documents, majority);
  }
}

async function runOperation(operation: Operation, context: OperationContext): Promise<string | null> {
  let result: unknown;
  try {
    result = await executeOperation(operation, context);
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    if (operation.ignoreResultAndError) return null;
    if (!operation.expectError) return `unexpected error: ${errorSummary(error)}`;
    return matchError(operation.expectError, error, context.entities);
  }
  if (operation.ignoreResultAndError) return null;
  if (operation.expectError) return `expected an error, got result ${describeValue(result)}`;
  if ('expectResult' in operation) {
    const mismatch = matchValue(operation.expectResult, result, context.entities, true, 'result');
    if (mismatch) return mismatch;
  }
  if (operation.saveResultAsEntity) context.entities.set(operation.saveResultAsEntity, result);
  return null;
}

function matchError(expected: ExpectedError, error: unknown, entities: EntityMap): string | null {
  if (!(error instanceof MongoError || error instanceof BSONError)) {
    return `expected a driver or server error, got ${errorSummary(error)}`;
  }
  const summary = errorSummary(error);
  const fromServer = error instanceof MongoServerError;
  if (expected.isClientError !== undefined && expected.isClientError === fromServer) {
    return `expected a ${expected.isClientError ? 'client-side' : 'server'} error, got ${summary}`;
  }
  if (expected.isTimeoutError !== undefined && expected.isTimeoutError !== error instanceof MongoOperationTimeoutError) {
    return `expected ${expected.isTimeoutError ? 'a' : 'no'} timeout error, got ${summary}`;
  }
  if (expected.errorContains && !error.message.toLowerCase().includes(expected.errorContains.toLowerCase())) {
    return `expected the error message to contain "${expected.errorContains}", got ${summary}`;
  }
  const server = error instanceof MongoServerError ? error : undefined;
  if (expected.errorCode !== undefined && server?.code !== expected.errorCode) {
    return `expected error code ${expected.errorCode}, got ${summary}`;
  }
  if (expected.errorCodeName !== undefined && server?.codeName !== expected.errorCodeName) {
    return `expected error code name ${expected.errorCodeName}, got ${summary}`;
  }
  const labels = error instanceof MongoError ? error.errorLabels : [];
  const missing = (expected.errorLabelsContain ?? []).filter((label) => !labels.includes(label));
  if (missing.length > 0) return `expected error label(s) ${missing.join(', ')}, got ${summary}`;
  const unwanted = (expected.errorLabelsOmit ?? []).filter((label) => labels.includes(label));
  if (unwanted.length > 0) return `unexpected error label(s) ${unwanted.join(', ')} on ${summary}`;
  if ('expectResult' in expected) {
    // The partial result of a failed bulk write (the driver's BulkWriteResult), a root-level document.
    const partial = (error as { result?: unknown }).result;
    const mismatch = matchValue(expected.expectResult, partial, entities, true, 'error.result');
    if (mismatch) return mismatch;
  }
  return null;
}

async function checkOutcome(outcome: CollectionData[], internal: MongoClient, entities: EntityMap): Promise<string | null> {
  for (const data of outcome) {
    const documents = await internal
      .db(data.databaseName)
      .collection(data.collectionName)
      .find({}, { sort: { _id: 1 }, readConcern: { level: 'local' } })
      .toArray();
    const mismatch = matchValue(data.documents, documents, entities, false, `${data.databaseName}.${data.collectionName}`);
    if (mismatch) return `outcome: ${mismatch}`;
  }
  return null;
}

async function disableFailPoints(failPoints: FailPointRecord[]): Promise<void> {
  await Promise.allSettled(
    failPoints.map(({ client, name }) =>
      client.db('admin').command({ configureFailPoint: name, mode: 'off' } satisfies Document),
    ),
  );
}

function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = error instanceof MongoServerError ? ` (code ${String(error.code)} ${error.codeName ?? ''})` : '';
  return `${error.constructor.name}: ${error.message}${code}`;
}
