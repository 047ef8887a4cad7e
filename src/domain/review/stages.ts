import { z } from 'zod';

/** 三审: wording and format; facts and policy basis; political direction and confidentiality. */
export const DEFAULT_REVIEW_STAGES = ['初审', '复审', '终审'] as const;

const stagesSchema = z
  .string()
  .transform((value) => value.split(/[,，]/).map((stage) => stage.trim()).filter(Boolean))
  .pipe(z.array(z.string().min(1).max(32)).min(1).max(10).refine((stages) => new Set(stages).size === stages.length, '审核阶段不能重复 / Stages must be distinct'));

/** Review stages in order, from REVIEW_STAGES (comma-separated) or the default three. */
export function loadReviewStages(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env.REVIEW_STAGES;
  if (!given) return [...DEFAULT_REVIEW_STAGES];
  const parsed = stagesSchema.safeParse(given);
  if (!parsed.success) throw new Error(`REVIEW_STAGES 无效 / Invalid REVIEW_STAGES: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
