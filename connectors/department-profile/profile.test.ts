import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchema, connectorRegistry } from '../index.js';
import { restConnector } from '../rest/index.js';
import { collect, testReadContext } from '../testing/index.js';
import { dataset, defineProfile, formatConfigFor, type ProfileDefinition } from './index.js';

const defaultMapping = { kind: 'SERVICE' as const, constants: { department: 'health' }, fields: [{ target: 'title', source: 'name' }] };

const definition: ProfileDefinition = {
  id: 'example',
  title: { zh: '示例部门', en: 'Example department' },
  department: 'health',
  datasets: [
    dataset({
      id: 'items',
      title: { zh: '事项', en: 'Items' },
      format: restConnector,
      options: { pageSize: z.number().int().min(0).default(10) },
      formatConfig: (config) => ({ url: config.url, pagination: { type: 'page', pageSize: config.pageSize }, recordsPath: 'rows' }),
      mapping: defaultMapping,
    }),
  ],
};
const profile = defineProfile(definition);
const parse = (input: Record<string, unknown>) => profile.configSchema.parse({ dataset: 'items', url: 'https://wjw.huzhou.gov.cn/api/items', ...input });

describe('department profiles', () => {
  it('are all registered, each with a JSON Schema offering its datasets', () => {
    for (const id of ['health', 'education', 'culture', 'justice', 'hrss']) {
      const connector = connectorRegistry.get(id);
      expect(connector, id).toBeDefined();
      const schema = configJsonSchema(connector!) as { oneOf?: { properties: { dataset: { const: string } } }[] };
      expect(schema.oneOf?.length, id).toBeGreaterThanOrEqual(1);
      for (const option of schema.oneOf ?? []) expect(option.properties.dataset.const).toMatch(/^[a-z-]+$/);
    }
  });

  it('build the format connector config from the dataset, with the default mapping unless the feed has one', () => {
    const wrapped = formatConfigFor(definition, parse({ pageSize: 25 }));
    expect(wrapped.format).toBe(restConnector);
    expect(wrapped.config).toMatchObject({ pagination: { type: 'page', pageSize: 25, pageParam: 'page' }, recordsPath: 'rows', mapping: defaultMapping });
    const own = { kind: 'SERVICE' as const, constants: { department: 'health' }, fields: [{ target: 'title', source: 'mc' }] };
    expect(formatConfigFor(definition, parse({ mapping: own })).config).toMatchObject({ mapping: own });
  });

  it('report a dataset setting the format connector refuses as a config error, when reading', async () => {
    const config = parse({ pageSize: 0 });
    expect(() => formatConfigFor(definition, config)).toThrow(expect.objectContaining({ errorClass: 'config', code: 'INVALID_CONFIG' }));
    const events = profile.read(config, undefined, testReadContext());
    await expect(collect(events)).rejects.toMatchObject({ errorClass: 'config', code: 'INVALID_CONFIG' });
    expect(await profile.check(config, testReadContext())).toMatchObject({ ok: false, message: expect.stringContaining('pagination.pageSize') });
  });

  it('reject a record that a feed mapping assigns to another department', () => {
    const config = parse({ mapping: { kind: 'SERVICE', constants: { department: 'culture' }, fields: [{ target: 'title', source: 'name' }] } });
    const result = profile.map({ sourceId: '001', data: { name: '诊所备案' } }, config);
    expect(result).toEqual({ ok: false, reasons: [expect.stringContaining('部门不符')] });
    expect(profile.map({ sourceId: '001', data: { name: '诊所备案' } }, parse({}))).toMatchObject({ ok: true, record: { title: '诊所备案', sourceId: '001' } });
  });
});
