import { z } from 'zod';
import type { MapResult, RawRecord } from '../../../connectors/contract.js';
import {
  RESOURCE_KINDS,
  eventRecordSchema,
  normalizedRecordSchema,
  policyRecordSchema,
  serviceRecordSchema,
} from '../../domain/catalog/normalized-record.js';
import { DEFAULT_TIMEZONE, isValidTimezone } from './dates.js';
import { getPath, isValidPath, parsePath, setPath, type PathSegment } from './paths.js';
import { TransformError, compileTransform, isEmpty, transformSchema } from './transforms.js';

/**
 * A declarative mapping from a raw source record to a normalized record. Example:
 *
 * ```json
 * { "kind": "POLICY", "constants": { "department": "justice" },
 *   "fields": [
 *     { "target": "sourceId", "source": "id", "transforms": [{ "op": "string" }] },
 *     { "target": "title", "source": "title", "transforms": [{ "op": "html", "output": "text" }] },
 *     { "target": "publishedAt", "source": ["pubtimeStr", "ptime"], "transforms": [{ "op": "date" }] },
 *     { "target": "issuers", "source": "puborg", "transforms": [{ "op": "split", "separators": [" "] }] }
 *   ] }
 * ```
 *
 * Source paths read the raw record's `data` (`a.b[0].c`, `a["x.y"]`, `items[*].url`); the
 * special source `$sourceId` is the reader's key. `sourceId` defaults to that key.
 */
/**
 * Records a compiled mapping returned after validating them against normalizedRecordSchema,
 * as that schema output them. Every schema step is idempotent (trim, defaults, date
 * coercion), so validating one again would return it unchanged: the sync skips that.
 */
const VALIDATED = new WeakSet<object>();

/** The record as validated by a compiled mapping, if `record` is one it returned (and no copy). */
export function validatedRecord(record: z.input<typeof normalizedRecordSchema>): z.output<typeof normalizedRecordSchema> | undefined {
  return VALIDATED.has(record) ? (record as z.output<typeof normalizedRecordSchema>) : undefined;
}

const path = z.string().min(1).refine(isValidPath, { message: '无效的路径 / Invalid path' });

export const fieldRuleSchema = z.object({
  target: path,
  /** One path, or several: the first that gives a non-empty value wins. Omit for constants. */
  source: z.union([path, z.array(path).min(1)]).optional(),
  transforms: z.array(transformSchema).default([]),
});

const KIND_SCHEMAS = [serviceRecordSchema, policyRecordSchema, eventRecordSchema] as const;
const FIELDS_BY_KIND = new Map<string, ReadonlySet<string>>(KIND_SCHEMAS.map((schema) => [schema.shape.kind.value, new Set(Object.keys(schema.shape))]));
const ANY_KIND_FIELDS = new Set(KIND_SCHEMAS.flatMap((schema) => Object.keys(schema.shape)));

export const mappingSpecSchema = z
  .object({
    kind: z.enum(RESOURCE_KINDS).optional(),
    /** Fixed values set on every record first (department, categories, confidentiality…). */
    constants: z.record(z.string(), z.json()).default({}),
    fields: z.array(fieldRuleSchema).default([]),
    /** Timezone for wall-clock dates that carry no offset. */
    timezone: z.string().refine(isValidTimezone, { message: '未知时区 / Unknown timezone' }).default(DEFAULT_TIMEZONE),
  })
  .superRefine((spec, ctx) => {
    // A target the record schema does not know would be dropped silently by validation.
    const known = (spec.kind && FIELDS_BY_KIND.get(spec.kind)) || ANY_KIND_FIELDS;
    const check = (name: string, path: (string | number)[]) => {
      if (!known.has(name)) {
        ctx.addIssue({ code: 'custom', path, message: `未知的目标字段 ${name} / Unknown target field ${name}${spec.kind ? ` for ${spec.kind}` : ''}` });
      }
    };
    for (const name of Object.keys(spec.constants)) check(name, ['constants', name]);
    spec.fields.forEach((rule, index) => {
      if (isValidPath(rule.target)) check(String(parsePath(rule.target)[0]), ['fields', index, 'target']);
    });
  });

export type MappingSpec = z.input<typeof mappingSpecSchema>;
export type FieldRule = z.input<typeof fieldRuleSchema>;
export type CompiledMapping = (raw: RawRecord) => MapResult;

const SOURCE_ID = '$sourceId';

/** Top-level fields that hold arrays, per kind: a single value mapped to them is wrapped. */
const ARRAY_FIELDS: Record<string, Set<string>> = Object.fromEntries(
  KIND_SCHEMAS.map((schema) => [
    schema.shape.kind.value,
    new Set(Object.entries(schema.shape).filter(([, field]) => isArraySchema(field)).map(([name]) => name)),
  ]),
);

function isArraySchema(schema: z.ZodType): boolean {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current instanceof z.ZodArray;
}

interface CompiledRule {
  target: string;
  targetPath: PathSegment[];
  sources: { label: string; path: PathSegment[] | typeof SOURCE_ID }[];
  steps: ((value: unknown) => unknown)[];
}

export function compileMapping(spec: MappingSpec): CompiledMapping {
  const parsed = mappingSpecSchema.parse(spec);
  const rules: CompiledRule[] = parsed.fields.map((rule) => ({
    target: rule.target,
    targetPath: parsePath(rule.target),
    sources: (rule.source === undefined ? [] : Array.isArray(rule.source) ? rule.source : [rule.source]).map((source) => ({
      label: source,
      path: source === SOURCE_ID ? SOURCE_ID : parsePath(source),
    })),
    steps: rule.transforms.map((transform) => compileTransform(transform, parsed.timezone)),
  }));
  const constants = JSON.stringify(parsed.constants);
  const mapsSourceId = rules.some((rule) => rule.target === 'sourceId');

  return (raw) => {
    const record: Record<string, unknown> = JSON.parse(constants) as Record<string, unknown>;
    if (parsed.kind) record.kind = parsed.kind;
    if (!mapsSourceId) record.sourceId = raw.sourceId;
    const reasons: string[] = [];
    for (const rule of rules) {
      try {
        const value = rule.steps.reduce((current, step) => step(current), readSources(raw, rule));
        const cleaned = clean(value);
        if (cleaned !== undefined) setPath(record, rule.targetPath, cleaned);
      } catch (error) {
        if (!(error instanceof TransformError)) throw error;
        reasons.push(`${rule.target} ← ${rule.sources.map((source) => source.label).join(' | ')}: ${error.message}`);
      }
    }
    wrapArrayFields(record);
    if (typeof record.sourceId === 'number') record.sourceId = String(record.sourceId);
    const result = normalizedRecordSchema.safeParse(record);
    if (!result.success) {
      for (const issue of result.error.issues) reasons.push(describeIssue(issue, rules));
    }
    if (reasons.length > 0 || !result.success) return { ok: false, reasons };
    VALIDATED.add(result.data);
    return { ok: true, record: result.data as z.input<typeof normalizedRecordSchema> };
  };
}

function readSources(raw: RawRecord, rule: CompiledRule): unknown {
  let found: unknown;
  for (const source of rule.sources) {
    found = source.path === SOURCE_ID ? raw.sourceId : getPath(raw.data, source.path);
    if (!isEmpty(found)) return found;
  }
  return found;
}

/** Empty strings and empty elements are absent values (sources write "" where they mean null). */
function clean(value: unknown): unknown {
  if (value === null || value === '') return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  if (Array.isArray(value)) {
    const kept = value.filter((item) => !(item === null || item === undefined || (typeof item === 'string' && item.trim() === '')));
    return kept.length === 0 ? undefined : kept;
  }
  return value;
}

function wrapArrayFields(record: Record<string, unknown>): void {
  const arrays = ARRAY_FIELDS[String(record.kind)];
  if (!arrays) return;
  for (const name of arrays) {
    const value = record[name];
    if (value !== undefined && !Array.isArray(value)) record[name] = [value];
  }
}

function describeIssue(issue: z.core.$ZodIssue, rules: readonly CompiledRule[]): string {
  const field = issue.path.map(String).join('.') || '(record)';
  const rule = rules.find((candidate) => candidate.target === field || candidate.target === String(issue.path[0]));
  const origin = rule && rule.sources.length > 0 ? ` (← ${rule.sources.map((source) => source.label).join(' | ')})` : '';
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  const message = missing ? '缺少必填字段 / Required field missing' : issue.message;
  return `${field}${origin}: ${message}`;
}
