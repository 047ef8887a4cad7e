import { sourceDataError } from '../../src/ingest/fetch/index.js';

/**
 * DCAT catalogues normalized to one dataset shape: DCAT-US `data.json` (plain JSON) and DCAT-AP
 * JSON-LD (a @graph of nodes, compacted with prefixes from an inline @context).
 */
export interface DcatDistribution {
  title?: string;
  accessURL?: string;
  downloadURL?: string;
  format?: string;
  mediaType?: string;
}

export interface DcatDataset {
  id: string | undefined;
  identifier: string | undefined;
  title: string | undefined;
  description: string | undefined;
  keywords: string[];
  themes: string[];
  issued: string | undefined;
  modified: string | undefined;
  publisher: string | undefined;
  contact: string | undefined;
  landingPage: string | undefined;
  license: string | undefined;
  distributions: DcatDistribution[];
  /** The dataset as the catalogue gave it. */
  source: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : undefined);

export function readCatalog(document: unknown, languages: readonly string[]): DcatDataset[] {
  if (isObject(document) && Array.isArray(document.dataset)) return document.dataset.filter(isObject).map(fromDataJson);
  if (isObject(document) && ('@graph' in document || '@context' in document)) return new JsonLdGraph(document, languages).datasets();
  if (Array.isArray(document) && document.some((node) => isObject(node) && '@id' in node)) return new JsonLdGraph({ '@graph': document }, languages).datasets();
  throw sourceDataError('不是 DCAT 目录（缺少 dataset 或 @graph）', 'Not a DCAT catalogue (no dataset array or @graph)');
}

function fromDataJson(dataset: Json): DcatDataset {
  const publisher = isObject(dataset.publisher) ? str(dataset.publisher.name) : str(dataset.publisher);
  const contact = isObject(dataset.contactPoint) ? str(dataset.contactPoint.fn) ?? str(dataset.contactPoint.hasEmail) : undefined;
  return {
    id: str(dataset.identifier) ?? str(dataset['@id']),
    identifier: str(dataset.identifier),
    title: str(dataset.title),
    description: str(dataset.description),
    keywords: list(dataset.keyword).map(str).filter((text): text is string => text !== undefined),
    themes: list(dataset.theme).map(str).filter((text): text is string => text !== undefined),
    issued: str(dataset.issued),
    modified: str(dataset.modified),
    publisher,
    contact: contact?.replace(/^mailto:/i, ''),
    landingPage: str(dataset.landingPage),
    license: str(dataset.license),
    distributions: list(dataset.distribution)
      .filter(isObject)
      .map((distribution) => compact({
        title: str(distribution.title),
        accessURL: str(distribution.accessURL),
        downloadURL: str(distribution.downloadURL),
        format: str(distribution.format),
        mediaType: str(distribution.mediaType),
      })),
    source: dataset,
  };
}

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const VCARD = 'http://www.w3.org/2006/vcard/ns#';

/** Just enough JSON-LD: inline-context term and prefix expansion, node lookup by @id, literals by language. */
class JsonLdGraph {
  private readonly terms = new Map<string, string>();
  private readonly nodes = new Map<string, Json>();
  private readonly all: Json[];

  constructor(document: Json, private readonly languages: readonly string[]) {
    for (const context of list(document['@context'])) {
      if (!isObject(context)) continue; // remote contexts are never fetched
      for (const [term, definition] of Object.entries(context)) {
        const iri = typeof definition === 'string' ? definition : isObject(definition) ? str(definition['@id']) : undefined;
        if (iri) this.terms.set(term, iri);
      }
    }
    this.all = (Array.isArray(document['@graph']) ? document['@graph'] : [document]).filter(isObject);
    for (const node of this.all) {
      const id = str(node['@id']);
      if (id) this.nodes.set(id, node);
    }
  }

  private expand(name: string): string {
    const direct = this.terms.get(name);
    if (direct) return this.expand(direct);
    const colon = name.indexOf(':');
    if (colon > 0 && !name.startsWith('http')) {
      const base = this.terms.get(name.slice(0, colon));
      if (base) return base + name.slice(colon + 1);
    }
    return name;
  }

  private values(node: Json, property: string): unknown[] {
    const found: unknown[] = [];
    for (const [key, value] of Object.entries(node)) if (!key.startsWith('@') && this.expand(key) === property) found.push(...list(value));
    return found;
  }

  private deref(value: unknown): unknown {
    if (isObject(value) && typeof value['@id'] === 'string' && Object.keys(value).length === 1) return this.nodes.get(value['@id']) ?? value;
    return value;
  }

  /** A literal's text, choosing by language when several are given. */
  private literal(node: Json, property: string): string | undefined {
    const candidates = this.values(node, property).map((value) => this.deref(value));
    const texts = candidates
      .map((value) => (isObject(value) ? { text: str(value['@value']) ?? str(value['@id']), lang: str(value['@language']) } : { text: str(value), lang: undefined }))
      .filter((entry): entry is { text: string; lang: string | undefined } => entry.text !== undefined);
    for (const language of this.languages) {
      const match = texts.find((entry) => entry.lang?.toLowerCase() === language.toLowerCase());
      if (match) return match.text;
    }
    return texts[0]?.text;
  }

  private texts(node: Json, property: string): string[] {
    return this.values(node, property)
      .map((value) => (isObject(value) ? str(value['@value']) ?? str(value['@id']) : str(value)))
      .filter((text): text is string => text !== undefined);
  }

  private label(value: unknown): string | undefined {
    const node = this.deref(value);
    if (!isObject(node)) return str(node);
    for (const property of [`${FOAF}name`, `${SKOS}prefLabel`, `${RDFS}label`, `${VCARD}fn`, `${RDF}value`]) {
      const text = this.literal(node, property);
      if (text) return text;
    }
    return str(node['@id']);
  }

  private isDataset(node: Json): boolean {
    return list(node['@type']).some((type) => typeof type === 'string' && this.expand(type) === `${DCAT}Dataset`);
  }

  datasets(): DcatDataset[] {
    return this.all.filter((node) => this.isDataset(node)).map((node) => this.dataset(node));
  }

  private dataset(node: Json): DcatDataset {
    const first = (property: string) => this.values(node, property)[0];
    const format = (distribution: Json) => {
      const value = this.deref(this.values(distribution, `${DCT}format`)[0]);
      return isObject(value) ? this.literal(value, `${RDFS}label`) ?? this.literal(value, `${RDF}value`) : str(value);
    };
    return {
      id: str(node['@id']) ?? this.literal(node, `${DCT}identifier`),
      identifier: this.literal(node, `${DCT}identifier`),
      title: this.literal(node, `${DCT}title`),
      description: this.literal(node, `${DCT}description`),
      keywords: this.texts(node, `${DCAT}keyword`),
      themes: this.texts(node, `${DCAT}theme`),
      issued: this.literal(node, `${DCT}issued`),
      modified: this.literal(node, `${DCT}modified`),
      publisher: first(`${DCT}publisher`) === undefined ? undefined : this.label(first(`${DCT}publisher`)),
      contact: first(`${DCAT}contactPoint`) === undefined ? undefined : this.label(first(`${DCAT}contactPoint`)),
      landingPage: this.literal(node, `${DCAT}landingPage`),
      license: this.literal(node, `${DCT}license`),
      distributions: this.values(node, `${DCAT}distribution`)
        .map((value) => this.deref(value))
        .filter(isObject)
        .map((distribution) => compact({
          title: this.literal(distribution, `${DCT}title`),
          accessURL: this.literal(distribution, `${DCAT}accessURL`),
          downloadURL: this.literal(distribution, `${DCAT}downloadURL`),
          format: format(distribution),
          mediaType: this.literal(distribution, `${DCAT}mediaType`),
        })),
      source: node,
    };
  }
}
