/** The part of n3 (rdfjs/N3.js, which ships no types) the Turtle reader uses. */
declare module 'n3' {
  export interface Term {
    termType: 'NamedNode' | 'BlankNode' | 'Literal' | 'Variable' | 'DefaultGraph' | 'Quad';
    value: string;
    /** Literals only; '' when untagged. */
    language?: string;
  }
  export interface Quad {
    subject: Term;
    predicate: Term;
    object: Term;
    graph: Term;
  }
  export class Parser {
    constructor(options?: { format?: string; baseIRI?: string });
    /** Parses a whole document synchronously; throws on a syntax error. */
    parse(input: string): Quad[];
  }
}
