import { z } from 'zod';
import type { Connector } from './contract.js';
import { ckanConnector } from './ckan/index.js';
import { csvConnector } from './csv/index.js';
import { dcatConnector } from './dcat/index.js';
import { icsConnector } from './ics/index.js';
import { cultureConnector } from './culture/index.js';
import { educationConnector } from './education/index.js';
import { healthConnector } from './health/index.js';
import { hrssConnector } from './hrss/index.js';
import { justiceConnector } from './justice/index.js';
import { restConnector } from './rest/index.js';
import { rssConnector } from './rss/index.js';
import { xlsxConnector } from './xlsx/index.js';
import { xmlConnector } from './xml/index.js';

/**
 * The connector registry, by id. Each connector's config type is erased to `unknown` here:
 * callers validate a feed's config with `configSchema` before `read`/`map` (the sync engine's
 * connectorConfig does), so the erasure is safe at this boundary.
 */
function erase<C>(connector: Connector<C>): Connector {
  return connector as unknown as Connector;
}

/** Generic format connectors, reused by many feeds and by the department profiles. */
export const formatConnectors: readonly Connector[] = [
  erase(restConnector),
  erase(csvConnector),
  erase(xlsxConnector),
  erase(rssConnector),
  erase(xmlConnector),
  erase(icsConnector),
  erase(ckanConnector),
  erase(dcatConnector),
];

/** Department profiles wrap format connectors; their module adds them here. */
export const profileConnectors: readonly Connector[] = [erase(healthConnector), erase(hrssConnector), erase(justiceConnector), erase(cultureConnector), erase(educationConnector)];

export const connectorRegistry: ReadonlyMap<string, Connector> = new Map(
  [...formatConnectors, ...profileConnectors].map((connector) => [connector.id, connector]),
);

export function getConnector(id: string): Connector | undefined {
  return connectorRegistry.get(id);
}

/** A connector's config schema as JSON Schema (draft 2020-12, input shape), for the console's forms. */
export function configJsonSchema(connector: Pick<Connector, 'configSchema'>): Record<string, unknown> {
  return z.toJSONSchema(connector.configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export interface ConnectorDescription {
  id: string;
  title: { zh: string; en: string };
  jsonSchema: Record<string, unknown>;
}

/** Every registered connector with its JSON Schema. */
export function describeConnectors(): ConnectorDescription[] {
  return [...connectorRegistry.values()].map((connector) => ({
    id: connector.id,
    title: connector.title,
    jsonSchema: configJsonSchema(connector),
  }));
}
