import type { z } from 'zod';
import type { MapResult, RawRecord } from '../../connectors/contract.js';
import { normalizedRecordSchema, type NormalizedRecord } from '../domain/catalog/normalized-record.js';
import type { QuarantineCode } from '../db/models/quarantine.js';
import { contentHash } from './content-hash.js';
import { validatedRecord } from './mapping/index.js';

/** What a feed expects of every record it yields. */
export interface RecordRules {
  department: string;
  targetKind: NormalizedRecord['kind'];
  /** Codes a record with no org units of its own is attached to. */
  defaultOrgUnitCodes: readonly string[];
}

export type PreparedRecord =
  | { ok: true; raw: RawRecord; record: NormalizedRecord; hash: string }
  | { ok: false; raw: RawRecord; code: QuarantineCode; reasons: string[] };

export const CLASSIFIED_REASON = '涉密信息不上网：涉密记录不予存储 / Classified record refused: classified material is never stored';

const CONFIDENTIALITY_KEYS = /^(confidentiality|classification|secrecy|密级|保密等级|涉密)$/i;
const CLASSIFIED_MARKS = /^(classified|secret|top[ _-]?secret|confidential|涉密|秘密|机密|绝密|是)$/i;

/** A raw record whose own fields mark it classified, whether or not it maps. */
function rawIsClassified(raw: RawRecord): boolean {
  return Object.entries(raw.data).some(
    ([key, value]) => CONFIDENTIALITY_KEYS.test(key) && typeof value === 'string' && CLASSIFIED_MARKS.test(value.trim()),
  );
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
}

/**
 * map → validate → the feed's rules. Pure: everything that needs the store (org units)
 * happens afterwards, per batch.
 */
export function prepareRecord(raw: RawRecord, mapRecord: (raw: RawRecord) => MapResult, rules: RecordRules): PreparedRecord {
  if (rawIsClassified(raw)) return { ok: false, raw, code: 'CLASSIFIED', reasons: [CLASSIFIED_REASON] };
  let mapped: MapResult;
  try {
    mapped = mapRecord(raw);
  } catch (error) {
    mapped = { ok: false, reasons: [`映射失败 / Mapping threw: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (!mapped.ok) return { ok: false, raw, code: 'MAPPING', reasons: mapped.reasons };
  if (mapped.record.confidentiality === 'CLASSIFIED') {
    return { ok: false, raw, code: 'CLASSIFIED', reasons: [CLASSIFIED_REASON] };
  }
  // A mapping spec's output is validated already; with org units of its own it is final.
  const validated = validatedRecord(mapped.record);
  let record: NormalizedRecord;
  if (validated?.orgUnitCodes.length) record = validated;
  else {
    const parsed = normalizedRecordSchema.safeParse({
      ...mapped.record,
      orgUnitCodes: mapped.record.orgUnitCodes?.length ? mapped.record.orgUnitCodes : rules.defaultOrgUnitCodes,
    });
    if (!parsed.success) return { ok: false, raw, code: 'VALIDATION', reasons: describeIssues(parsed.error) };
    record = parsed.data;
  }
  const reasons: string[] = [];
  if (record.kind !== rules.targetKind) {
    reasons.push(`类型不符 / Kind ${record.kind} does not match the feed's target kind ${rules.targetKind}`);
  }
  if (record.department !== rules.department) {
    reasons.push(`部门不符 / Department ${record.department} is not the feed's department ${rules.department}`);
  }
  if (reasons.length > 0) return { ok: false, raw, code: 'VALIDATION', reasons };
  return { ok: true, raw, record, hash: contentHash(record) };
}
