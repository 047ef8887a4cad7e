import { z } from 'zod';
import { IngestError } from '../../src/ingest/fetch/index.js';
import { mappingSpecSchema, type MappingSpec } from '../../src/ingest/mapping/index.js';
import type { CheckResult, Connector, ConnectorState, MapResult, RawRecord, ReadContext, ReadEvent } from '../contract.js';
import { authSchema, httpUrlSchema } from '../shared/config.js';
import { mapWithSpec } from '../shared/records.js';

/**
 * A department profile: a connector that knows one department's datasets. Each dataset names
 * the format connector that reads it, that format's settings for the department's files
 * (encoding, header rows, record paths, keys), and a default mapping spec from the
 * department's native field names to a normalized record. An admin picks a dataset and gives
 * a URL; a feed's own mapping spec, when it has one, replaces the default.
 */

/** The config fields every dataset of every profile takes. */
const commonFields = {
  url: httpUrlSchema,
  headers: z.record(z.string(), z.string()).default({}),
  auth: authSchema.default({ type: 'none' }),
  /** Replaces the dataset's default mapping (the sync engine passes a feed's mapping here). */
  mapping: mappingSpecSchema.optional(),
};

const commonSchema = z.object(commonFields);
export type ProfileSource = z.output<typeof commonSchema>;

export interface ProfileDataset<Options extends z.ZodRawShape = z.ZodRawShape> {
  id: string;
  title: { zh: string; en: string };
  /** The format connector that reads the dataset (csv, rest, rss, xlsx, ics…). */
  format: Connector;
  /** Department-native options of this dataset (for example the sheet of a workbook). */
  options: Options;
  /** The format connector's config, without `mapping`, for a validated profile config. */
  formatConfig(config: ProfileSource & z.output<z.ZodObject<Options>>): Record<string, unknown>;
  mapping: MappingSpec;
}

export interface ProfileDefinition {
  id: string;
  title: { zh: string; en: string };
  department: string;
  datasets: readonly [ProfileDataset, ...ProfileDataset[]];
}

export type ProfileConfig = ProfileSource & { dataset: string } & Record<string, unknown>;

/** Declares a dataset, keeping its options' types for its formatConfig. */
export function dataset<Options extends z.ZodRawShape>(definition: ProfileDataset<Options>): ProfileDataset {
  return definition as unknown as ProfileDataset;
}

function configSchemaFor(definition: ProfileDefinition): z.ZodType<ProfileConfig> {
  const [first, ...rest] = definition.datasets.map((d) =>
    z.object({ dataset: z.literal(d.id), ...commonFields, ...d.options }).describe(`${d.title.zh} / ${d.title.en}`),
  );
  return z.discriminatedUnion('dataset', [first!, ...rest]) as unknown as z.ZodType<ProfileConfig>;
}

function datasetOf(definition: ProfileDefinition, config: ProfileConfig): ProfileDataset {
  const found = definition.datasets.find((d) => d.id === config.dataset);
  if (!found) {
    throw new IngestError('config', 'INVALID_CONFIG', `未知的数据集：${config.dataset}`, `Unknown dataset: ${config.dataset}`);
  }
  return found;
}

/** The wrapped format connector's config, validated by that connector's own schema. */
export function formatConfigFor(definition: ProfileDefinition, config: ProfileConfig): { format: Connector; config: unknown } {
  const chosen = datasetOf(definition, config);
  const input = { ...chosen.formatConfig(config), mapping: config.mapping ?? chosen.mapping };
  const parsed = chosen.format.configSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new IngestError('config', 'INVALID_CONFIG', `数据集配置无效：${detail}`, `Invalid dataset config: ${detail}`);
  }
  return { format: chosen.format, config: parsed.data };
}

export function defineProfile(definition: ProfileDefinition): Connector<ProfileConfig> {
  const configSchema = configSchemaFor(definition);
  return {
    id: definition.id,
    title: definition.title,
    configSchema,
    async check(config: ProfileConfig, ctx: ReadContext): Promise<CheckResult> {
      const parsed = configSchema.safeParse(config);
      if (!parsed.success) {
        return { ok: false, message: `配置无效 / Invalid config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
      }
      try {
        const wrapped = formatConfigFor(definition, parsed.data);
        return await wrapped.format.check(wrapped.config, ctx);
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    },
    // A generator, so that a config error surfaces while iterating, where every reader's errors do.
    async *read(config: ProfileConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
      const wrapped = formatConfigFor(definition, config);
      yield* wrapped.format.read(wrapped.config, state, ctx);
    },
    map(raw: RawRecord, config: ProfileConfig): MapResult {
      const spec = config.mapping ?? datasetOf(definition, config).mapping;
      const mapped = mapWithSpec(raw, spec);
      if (mapped.ok && mapped.record.department !== definition.department) {
        return { ok: false, reasons: [`部门不符 / Record department ${mapped.record.department} is not ${definition.department}`] };
      }
      return mapped;
    },
  };
}
