import { describe, expect, it } from 'vitest';
import { configJsonSchema, connectorRegistry, describeConnectors, formatConnectors, getConnector } from './index.js';

describe('connector registry', () => {
  it('registers every format connector once, by id', () => {
    expect(formatConnectors.map((connector) => connector.id)).toEqual(['rest', 'csv', 'xlsx', 'rss', 'xml', 'ics', 'ckan', 'dcat']);
    expect(connectorRegistry.size).toBeGreaterThanOrEqual(formatConnectors.length);
    expect(getConnector('csv')?.title.zh).toBe('CSV 文件');
    expect(getConnector('nope')).toBeUndefined();
    expect(getConnector('__proto__')).toBeUndefined();
  });

  it('exports each config schema as JSON Schema a form can render', () => {
    const formatIds = new Set(formatConnectors.map((connector) => connector.id));
    const descriptions = describeConnectors();
    expect(descriptions.map((description) => description.id)).toEqual([...connectorRegistry.keys()]);
    for (const description of descriptions) expect(JSON.parse(JSON.stringify(description.jsonSchema))).toEqual(description.jsonSchema);
    for (const description of descriptions.filter((entry) => formatIds.has(entry.id))) {
      const schema = description.jsonSchema;
      expect(schema.type, description.id).toBe('object');
      const properties = schema.properties as Record<string, unknown>;
      expect(Object.keys(properties), description.id).toEqual(expect.arrayContaining(['url', 'mapping', 'auth']));
    }
    const csv = configJsonSchema(getConnector('csv')!);
    expect(JSON.stringify(csv)).toContain('"delimiter"');
    expect(JSON.stringify(csv)).toContain('"halfWidth"');
  });
});
