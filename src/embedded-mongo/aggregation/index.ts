import type { Document } from 'bson';
import type { Doc } from '../values.js';
import { Deopt } from './expressions.js';
import { fieldsRead, narrower } from './narrow.js';
import { compilePipeline, type PipelineEnv } from './stages.js';

export type { PipelineEnv } from './stages.js';

/**
 * Runs an aggregation pipeline with its common stages and expressions compiled to closures once
 * per command; stages not compiled run through mingo. When a compiled stage meets an input it
 * does not handle exactly as mingo would, the whole pipeline re-runs through mingo, so results
 * and errors are mingo's in every case the compiled path does not cover.
 */
export function runAggregation(docs: Doc[], stages: Document[], env: PipelineEnv): Doc[] {
  const run = compilePipeline(stages, env, new Set(Object.keys(env.variables)));
  // A leading $project already copies just what it keeps, and a leading $group or $count reads
  // the documents without changing them: narrowing first would only add a copy of each.
  const first = stages[0];
  const fields = first && ('$project' in first || '$group' in first || '$count' in first) ? undefined : fieldsRead(stages);
  try {
    // Narrowed documents are fresh copies the stages may change in place; stored ones are not.
    return fields ? run(docs, true, narrower(fields)) : run(docs, false);
  } catch (error) {
    if (error instanceof Deopt) return env.mingo(docs, stages);
    throw error;
  }
}
