import type { FilterQuery, Types } from 'mongoose';
import type { Models, ResourceBase, ResourceDoc } from '../db/index.js';
import {
  compileResourceFilter,
  RESOURCE_FACETS,
  type FacetBucket,
  type ResourceFacetName,
  type ResourceFilterInput,
} from '../domain/catalog/index.js';
import { visibilityFilter, type Viewer } from '../domain/visibility/index.js';
import { decodeSearchCursor, encodeSearchCursor } from './cursor.js';
import { highlightAll, highlightSnippet } from './highlight.js';
import { htmlToText } from './html-text.js';
import { highlightTexts, parseQuery, SearchQueryError, searchTermsFilter, type SearchPlan } from './query.js';
import type { RankCandidate } from './ranking.js';
import { rankPage } from './top.js';
import { TermStatistics } from './statistics.js';
import { bundledSynonyms, type SynonymDictionary } from './synonyms.js';

/**
 * The search read path: the plan's index condition ANDed with the caller's connection
 * filter and the viewer's visibility filter; every candidate ranked in the application;
 * one page of full documents fetched, again under the visibility filter, and highlighted.
 * Count and facets come from the same candidate set, so they agree with the results and
 * can never count a hidden record.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Characters of body text shown around the first match. */
export const SNIPPET_LENGTH = 120;


/**
 * Fields read for ranking and facets. Summaries are fetched only for the candidates whose
 * place depends on them, bodies for the page only.
 */
const CANDIDATE_FIELDS = {
  _id: 1, kind: 1, title: 1, docNumber: 1, tags: 1, validity: 1, publishedAt: 1, startsAt: 1,
  updatedAt: 1, department: 1, categories: 1, orgLevels: 1,
} as const;

type Candidate = Pick<ResourceBase, '_id' | 'kind' | 'title' | 'tags' | 'updatedAt' | 'department' | 'categories' | 'orgLevels'> & {
  docNumber?: string;
  validity?: string;
  publishedAt?: Date;
  startsAt?: Date;
};

/** The same facets as the resource connections, counted over all visible matches. */
export type SearchFacets = Record<ResourceFacetName, FacetBucket[]>;

export interface SearchHighlights {
  /** The title, HTML-escaped, with matches in <em>. */
  title: string;
  /** About SNIPPET_LENGTH characters of body (or summary) text around the first match. */
  body: string | null;
}

export interface SearchHit {
  node: ResourceDoc;
  cursor: string;
  score: number;
  highlights: SearchHighlights;
}

export interface SearchPage {
  hits: SearchHit[];
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  facets: SearchFacets;
}

export interface SearchArgs {
  query: string;
  viewer: Viewer;
  /** The same filter (kinds, departments, org scope, validity, dates, …) as the resource connections. */
  filter?: ResourceFilterInput | null;
  first?: number | null;
  after?: string | null;
  /** Reference time for recency; a cursor carries its own so that pages agree. */
  now?: number;
}

export class SearchService {
  private readonly statistics: TermStatistics;

  constructor(
    private readonly models: Models,
    private readonly dictionary: SynonymDictionary = bundledSynonyms(),
  ) {
    this.statistics = new TermStatistics(models.Resource);
  }

  async search(args: SearchArgs): Promise<SearchPage> {
    const plan = parseQuery(args.query, this.dictionary);
    const first = pageSize(args.first);
    const cursor = args.after ? decodeSearchCursor(args.after) : undefined;
    const asOf = cursor?.t ?? args.now ?? Date.now();

    const filter = await compileResourceFilter(this.models, args.filter);
    const candidates = await this.candidates(plan, args.viewer, filter);
    const { page, hasNextPage, hasPreviousPage } = await rankPage(plan, candidates.map(toRankCandidate), { cursor, first, asOf }, (ids) =>
      this.summaries(ids),
    );
    const nodes = await this.pageDocuments(page.map((entry) => entry.id), args.viewer);
    const targets = highlightTexts(plan);
    const hits = page.flatMap(({ id, score }): SearchHit[] => {
      const node = nodes.get(id);
      if (!node) return [];
      return [{ node, score, cursor: encodeSearchCursor({ id, score, asOf }), highlights: highlights(node, targets) }];
    });
    return { hits, totalCount: candidates.length, hasNextPage, hasPreviousPage, facets: facetCounts(candidates) };
  }

  /** Every visible resource matching the plan and the filter, with the fields ranking needs. */
  private async candidates(plan: SearchPlan, viewer: Viewer, filter: FilterQuery<ResourceBase>): Promise<Candidate[]> {
    await this.statistics.ready();
    const anchor = this.statistics.anchor(plan);
    // Scalar conditions first: a store that evaluates in order rejects hidden and filtered-out
    // documents before scanning their term arrays.
    const clauses: FilterQuery<ResourceBase>[] = [
      visibilityFilter(viewer),
      filter,
      { searchTerms: { $in: anchor.tokens } },
      searchTermsFilter(plan, anchor.piece),
    ].filter((clause) => Object.keys(clause).length > 0);
    return this.models.Resource.find({ $and: clauses }).select(CANDIDATE_FIELDS).lean<Candidate[]>();
  }

  /** Summaries by id; a candidate deleted since it was found has none. */
  private async summaries(ids: string[]): Promise<Map<string, string | undefined>> {
    if (ids.length === 0) return new Map();
    const docs = await this.models.Resource.find({ _id: { $in: ids } })
      .select({ summary: 1 })
      .lean<Pick<ResourceBase, '_id' | 'summary'>[]>();
    return new Map(docs.map((doc) => [idOf(doc._id), doc.summary]));
  }

  private async pageDocuments(ids: string[], viewer: Viewer): Promise<Map<string, ResourceDoc>> {
    if (ids.length === 0) return new Map();
    const docs = await this.models.Resource.find({ $and: [{ _id: { $in: ids } }, visibilityFilter(viewer)] })
      .select({ searchTerms: 0 })
      .lean<ResourceDoc[]>();
    return new Map(docs.map((doc) => [idOf(doc._id), doc]));
  }
}

function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new SearchQueryError(`first 须为 0 到 ${MAX_PAGE_SIZE} 之间的整数`, `first must be an integer from 0 to ${MAX_PAGE_SIZE}`, 'first');
  }
  return size;
}

function idOf(id: Types.ObjectId): string {
  return id.toHexString();
}

function toRankCandidate(candidate: Candidate): RankCandidate {
  return {
    id: idOf(candidate._id),
    title: candidate.title,
    docNumber: candidate.docNumber,
    tags: candidate.tags,
    validity: candidate.kind === 'POLICY' ? candidate.validity : undefined,
    date: candidate.publishedAt ?? candidate.startsAt ?? candidate.updatedAt,
  };
}

function highlights(node: ResourceDoc, targets: readonly string[]): SearchHighlights {
  const text = htmlToText(node.body ?? '') || node.summary || '';
  return {
    title: highlightAll(node.title, targets).html,
    body: text ? highlightSnippet(text.replace(/\s+/g, ' '), targets, SNIPPET_LENGTH).html : null,
  };
}

function facetCounts(candidates: readonly Candidate[]): SearchFacets {
  const count = (name: ResourceFacetName): FacetBucket[] => {
    const field = RESOURCE_FACETS[name].field;
    const counts = new Map<string, number>();
    for (const candidate of candidates) {
      const raw: unknown = candidate[field];
      if (raw === undefined || raw === null) continue;
      // An array counts each of its values once.
      const values = Array.isArray(raw) ? (raw.length === 1 ? [String(raw[0])] : new Set(raw.map(String))) : [String(raw)];
      for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return [...counts]
      .map(([value, n]) => ({ value, count: n }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  };
  return { department: count('department'), kind: count('kind'), category: count('category'), orgLevel: count('orgLevel') };
}
