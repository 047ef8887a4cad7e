import type { CheckResult, ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import type { z } from 'zod';

type Reader<C> = (config: C, state: ConnectorState | undefined, ctx: ReadContext) => AsyncIterable<ReadEvent>;

/**
 * `check()` for any connector: the config must validate, and reading must reach a first record
 * (or the end of an empty source) without an error.
 */
export function checkByReading<C>(schema: z.ZodType<C>, read: Reader<C>) {
  return async (config: C, ctx: ReadContext): Promise<CheckResult> => {
    const parsed = schema.safeParse(config);
    if (!parsed.success) {
      return { ok: false, message: `配置无效 / Invalid config: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` };
    }
    try {
      for await (const event of read(parsed.data, undefined, ctx)) {
        if (event.type === 'record') return { ok: true, message: `可以访问，已读到记录 ${event.record.sourceId} / Reachable; read record ${event.record.sourceId}` };
        if (event.type === 'complete') return { ok: true, message: '可以访问，但数据源为空 / Reachable, but the source is empty' };
      }
      return { ok: false, message: '数据源未返回任何内容 / The source returned nothing' };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  };
}
