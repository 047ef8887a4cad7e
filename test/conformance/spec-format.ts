import { z } from 'zod';

/**
 * The parts of the unified test format (schema 1.x) that the CRUD suite uses. Documents stay
 * `unknown` inside: they hold BSON values (ObjectId, Binary, Date…) decoded from Extended JSON.
 * Shapes that carry assertions are strict, so an assertion this runner does not know makes
 * the test fail loudly instead of passing unchecked.
 */
const document = z.record(z.string(), z.unknown());

export const runOnRequirementSchema = z.strictObject({
  minServerVersion: z.string().optional(),
  maxServerVersion: z.string().optional(),
  topologies: z.array(z.string()).optional(),
  serverless: z.enum(['require', 'forbid', 'allow']).optional(),
  serverParameters: document.optional(),
  auth: z.boolean().optional(),
  csfle: z.boolean().optional(),
});
export type RunOnRequirement = z.infer<typeof runOnRequirementSchema>;

export const collectionDataSchema = z.strictObject({
  collectionName: z.string(),
  databaseName: z.string(),
  createOptions: document.optional(),
  documents: z.array(document),
});
export type CollectionData = z.infer<typeof collectionDataSchema>;

export const expectedErrorSchema = z.strictObject({
  isError: z.literal(true).optional(),
  isClientError: z.boolean().optional(),
  isTimeoutError: z.boolean().optional(),
  errorContains: z.string().optional(),
  errorCode: z.number().optional(),
  errorCodeName: z.string().optional(),
  errorLabelsContain: z.array(z.string()).optional(),
  errorLabelsOmit: z.array(z.string()).optional(),
  expectResult: z.unknown().optional(),
});
export type ExpectedError = z.infer<typeof expectedErrorSchema>;

export const operationSchema = z.strictObject({
  name: z.string(),
  object: z.string(),
  arguments: document.optional(),
  expectResult: z.unknown().optional(),
  expectError: expectedErrorSchema.optional(),
  saveResultAsEntity: z.string().optional(),
  ignoreResultAndError: z.boolean().optional(),
});
export type Operation = z.infer<typeof operationSchema>;

export const testCaseSchema = z.strictObject({
  description: z.string(),
  runOnRequirements: z.array(runOnRequirementSchema).optional(),
  skipReason: z.string().optional(),
  operations: z.array(operationSchema),
  expectEvents: z.array(z.unknown()).optional(),
  outcome: z.array(collectionDataSchema).optional(),
});
export type TestCase = z.infer<typeof testCaseSchema>;

export const specFileSchema = z.strictObject({
  description: z.string(),
  schemaVersion: z.string().regex(/^1(\.\d+){1,2}$/, 'only schema 1.x is supported'),
  runOnRequirements: z.array(runOnRequirementSchema).optional(),
  createEntities: z.array(document).optional(),
  initialData: z.array(collectionDataSchema).optional(),
  tests: z.array(testCaseSchema),
  _yamlAnchors: z.unknown().optional(),
});
export type SpecFile = z.infer<typeof specFileSchema>;

/** Entity definitions, validated when a test creates them (an unknown kind fails that test). */
export const clientEntitySchema = z.object({
  id: z.string(),
  uriOptions: document.optional(),
  observeEvents: z.array(z.string()).optional(),
  useMultipleMongoses: z.boolean().optional(),
  ignoreCommandMonitoringEvents: z.array(z.string()).optional(),
  observeSensitiveCommands: z.boolean().optional(),
});
export const databaseEntitySchema = z.object({
  id: z.string(),
  client: z.string(),
  databaseName: z.string(),
  databaseOptions: document.optional(),
});
export const collectionEntitySchema = z.object({
  id: z.string(),
  database: z.string(),
  collectionName: z.string(),
  collectionOptions: document.optional(),
});
export const sessionEntitySchema = z.object({
  id: z.string(),
  client: z.string(),
  sessionOptions: document.optional(),
});
