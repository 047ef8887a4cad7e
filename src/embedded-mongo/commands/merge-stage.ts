import type { Document } from 'bson';
import { accessFor, type CommandContext } from '../context.js';
import { ErrorCode, commandError } from '../errors.js';
import { isPlainObject, withIdFirst, type Doc } from '../values.js';
import { prepareInsert } from './write.js';

/** A `$merge` stage the embedded server runs: matched on `_id`, into this database. */
export interface MergeSpec {
  into: string;
  whenMatched: 'merge' | 'replace' | 'keepExisting' | 'fail';
  whenNotMatched: 'insert' | 'discard' | 'fail';
}

const WHEN_MATCHED = new Set<MergeSpec['whenMatched']>(['merge', 'replace', 'keepExisting', 'fail']);
const WHEN_NOT_MATCHED = new Set<MergeSpec['whenNotMatched']>(['insert', 'discard', 'fail']);

function unsupported(what: string): Error {
  return commandError(ErrorCode.NotImplemented, `不支持此 $merge 选项 / $merge ${what} is not supported by the embedded server`);
}

/** Reads a `$merge` stage; options beyond `_id` matching and the named modes are refused. */
export function parseMergeStage(stage: unknown, db: string): MergeSpec {
  const spec: Document = typeof stage === 'string' ? { into: stage } : isPlainObject(stage) ? stage : {};
  const into: unknown = spec.into;
  let target: unknown = into;
  if (isPlainObject(into)) {
    if (into.db !== undefined && into.db !== db) throw unsupported('into another database');
    target = into.coll;
  }
  if (typeof target !== 'string' || target.length === 0) {
    throw commandError(ErrorCode.FailedToParse, '$merge 需要 into 集合名 / $merge requires an "into" collection name');
  }
  const on: unknown = spec.on ?? '_id';
  if (!(on === '_id' || (Array.isArray(on) && on.length === 1 && on[0] === '_id'))) throw unsupported('"on" fields other than _id');
  if (spec.let !== undefined) throw unsupported('"let"');
  const whenMatched: unknown = spec.whenMatched ?? 'merge';
  const whenNotMatched: unknown = spec.whenNotMatched ?? 'insert';
  if (!WHEN_MATCHED.has(whenMatched as MergeSpec['whenMatched'])) throw unsupported(`whenMatched ${JSON.stringify(whenMatched)}`);
  if (!WHEN_NOT_MATCHED.has(whenNotMatched as MergeSpec['whenNotMatched'])) {
    throw unsupported(`whenNotMatched ${JSON.stringify(whenNotMatched)}`);
  }
  return {
    into: target,
    whenMatched: whenMatched as MergeSpec['whenMatched'],
    whenNotMatched: whenNotMatched as MergeSpec['whenNotMatched'],
  };
}

/** Writes the pipeline's output into the target collection, document by document on `_id`. */
export function writeMerge(ctx: CommandContext, spec: MergeSpec, docs: Doc[]): void {
  const access = accessFor(ctx, spec.into);
  for (const doc of docs) {
    const [existing] = doc._id === undefined ? [] : access.match({ _id: doc._id }, 1);
    if (!existing) {
      if (spec.whenNotMatched === 'fail') {
        throw commandError(ErrorCode.MergeStageNoMatchingDocument, '$merge 找不到匹配的文档 / $merge could not find a matching document in the target collection');
      }
      if (spec.whenNotMatched === 'insert') access.insert(prepareInsert(doc));
      continue;
    }
    if (spec.whenMatched === 'fail') {
      throw commandError(ErrorCode.DuplicateKey, `E11000 duplicate key error collection: ${ctx.db}.${spec.into} index: _id_`, {
        keyPattern: { _id: 1 },
        keyValue: { _id: doc._id },
      });
    }
    if (spec.whenMatched === 'keepExisting') continue;
    const next = spec.whenMatched === 'merge' ? { ...existing, ...doc } : doc;
    access.replace(existing, withIdFirst(next, existing._id));
  }
}
