import { Parser, type Term } from 'n3';
import { sourceDataError } from '../../src/ingest/fetch/index.js';

/**
 * A Turtle catalogue as an expanded JSON-LD graph (full IRIs as keys, `@id`/`@value`/`@language`
 * objects, `@type` from rdf:type), which the catalogue reader walks like any JSON-LD @graph.
 * n3 parses the whole document: it is bounded by the fetch size cap, like the JSON path.
 */
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

type Node = Record<string, unknown> & { '@id': string };

function id(term: Term): string {
  return term.termType === 'BlankNode' ? `_:${term.value}` : term.value;
}

function objectValue(term: Term): Record<string, string> {
  if (term.termType === 'Literal') return term.language ? { '@value': term.value, '@language': term.language } : { '@value': term.value };
  return { '@id': id(term) };
}

export function turtleGraph(text: string, baseIRI: string): { '@graph': Node[] } {
  let quads;
  try {
    quads = new Parser({ format: 'text/turtle', baseIRI }).parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw sourceDataError(`Turtle 解析失败：${detail}`, `The Turtle catalogue could not be parsed: ${detail}`, cause);
  }
  const nodes = new Map<string, Node>();
  for (const quad of quads) {
    const subject = id(quad.subject);
    let node = nodes.get(subject);
    if (!node) {
      node = { '@id': subject };
      nodes.set(subject, node);
    }
    const key = quad.predicate.value === RDF_TYPE ? '@type' : quad.predicate.value;
    const value = key === '@type' ? quad.object.value : objectValue(quad.object);
    const values = (node[key] ??= []) as unknown[];
    values.push(value);
  }
  return { '@graph': [...nodes.values()] };
}
