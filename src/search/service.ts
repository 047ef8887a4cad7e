import type { FilterQuery, Types } from 'mongoose';
import type { Models, ResourceBase, ResourceDoc } from '../db/index.js';
import {
  compileResourceFilter,
  type FacetBucket,
  type ResourceFacetName,
  type ResourceFilterInput,
} from '../domain/catalog/index.js';
import { visibilityFilter, type Viewer } from '../domain/visibility/index.js';
import { decodeSearchCursor, encodeSearchCursor, type SearchCursor } from './cursor.js';
import { highlightAll, highlightSnippet } from './highlight.js';
import { htmlToText } from './html-text.js';
import { highlightTexts, parseQuery, SearchQueryError, searchTermsFilter, type SearchPlan } from './query.js';
import { countsPipeline, facetCounts, rankingPipeline, type FacetCombination, type FacetCount, type Ranked } from './pipeline.js';
import { TermStatistics } from './statistics.js';
import { expectedTierHits, searchTier, tierHoldsPage } from './tier.js';
import { bundledSynonyms, type SynonymDictionary } from './synonyms.js';

/**
 * The search read path: the plan's index condition ANDed with the caller's connection filter
 * and the viewer's visibility filter selects the candidates; the database counts them by
 * facet combination, scores them (ranking.ts) and returns only the page after the cursor,
 * the count and the facet buckets. Count and facets come from the same candidate condition as the
 * ranking, so they can never count a hidden record; they are a separate read, so a write landing
 * between the two can make them differ from the page by that write. The page's full documents
 * are then fetched, again under the visibility filter, and highlighted.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/**
 * Estimated candidates (statistics.ts) from which the ranking tries the tier first: below it,
 * ranking every candidate costs less than the tier's extra aggregations.
 */
export const MIN_TIERED_CANDIDATES = 2_000;

/** Combinations are a few hundred at most: one reply instead of the driver's first batch of 101 and a getMore. */
const COMBINATIONS_BATCH = 1_000;

export interface SearchOptions {
  /**
   * When the ranking tries the tier first: 'estimated' (the default) when the statistics
   * expect at least MIN_TIERED_CANDIDATES candidates and a page of tier hits above the bound
   * (tier.ts, expectedTierHits); 'always' or 'never' (tests compare both).
   */
  tier: 'estimated' | 'always' | 'never';
}
/** Characters of body text shown around the first match. */
export const SNIPPET_LENGTH = 120;

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
  private readonly options: SearchOptions;

  constructor(
    private readonly models: Models,
    private readonly dictionary: SynonymDictionary = bundledSynonyms(),
    options: Partial<SearchOptions> = {},
  ) {
    this.options = { tier: 'estimated', ...options };
    this.statistics = new TermStatistics(models.Resource);
  }

  async search(args: SearchArgs): Promise<SearchPage> {
    const plan = parseQuery(args.query, this.dictionary);
    const first = pageSize(args.first);
    const cursor = args.after ? decodeSearchCursor(args.after) : undefined;
    const asOf = cursor?.t ?? args.now ?? Date.now();

    const filter = await compileResourceFilter(this.models, args.filter);
    const { ranked, combinations } = await this.rank(plan, args.viewer, filter, { cursor, first, asOf });
    const page = ranked.page.slice(0, first);
    const { total, facets } = facetCounts(combinations);
    const nodes = await this.pageDocuments(page.map((entry) => entry._id), args.viewer);
    const targets = highlightTexts(plan);
    const hits = page.flatMap(({ _id, score }): SearchHit[] => {
      const id = idOf(_id);
      const node = nodes.get(id);
      if (!node) return [];
      return [{ node, score, cursor: encodeSearchCursor({ id, score, asOf }), highlights: highlights(node, targets) }];
    });
    return {
      hits,
      totalCount: total,
      hasNextPage: ranked.page.length > first,
      hasPreviousPage: (ranked.before?.length ?? 0) > 0,
      facets: {
        department: buckets(facets.department),
        kind: buckets(facets.kind),
        category: buckets(facets.category),
        orgLevel: buckets(facets.orgLevel),
      },
    };
  }

  /**
   * Every visible resource matching the plan and the filter: counted by facet combination in
   * one aggregation, scored in another, which returns the first + 1 best after the cursor and
   * whether any ranks at or before it.
   */
  private async rank(
    plan: SearchPlan,
    viewer: Viewer,
    filter: FilterQuery<ResourceBase>,
    position: { cursor: SearchCursor | undefined; first: number; asOf: number },
  ): Promise<{ ranked: Ranked; combinations: FacetCombination[] }> {
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
    const match = { $and: clauses };
    const collection = this.models.Resource.collection;
    const rankOver = async (candidates: Record<string, unknown>): Promise<Ranked> => {
      const [ranked] = await collection.aggregate<Ranked>(rankingPipeline(candidates, plan, position)).toArray();
      if (!ranked) throw new Error('$facet 未返回结果 / $facet returned no document');
      return ranked;
    };
    // The tier first (tier.ts) when the candidates are many and it is expected to hold a page;
    // every candidate when it does not prove the page. A tier costs a few more aggregations,
    // which a small set, or a tier that falls back, does not repay.
    const tier = this.triesTier(plan, anchor.estimatedMatches, position) ? searchTier(plan, position.asOf) : undefined;
    const rankPage = async (): Promise<Ranked> => {
      if (tier) {
        const tiered = await rankOver({ $and: [...clauses, tier.condition] });
        if (tierHoldsPage(tiered, tier, position)) return tiered;
      }
      return rankOver(match);
    };
    const [combinations, ranked] = await Promise.all([collection.aggregate<FacetCombination>(countsPipeline(match), { batchSize: COMBINATIONS_BATCH }).toArray(), rankPage()]);
    return { ranked, combinations };
  }

  private triesTier(plan: SearchPlan, estimatedMatches: number, position: { first: number; asOf: number }): boolean {
    if (this.options.tier !== 'estimated') return this.options.tier === 'always';
    if (estimatedMatches < MIN_TIERED_CANDIDATES) return false;
    return expectedTierHits(plan, this.statistics.sample(plan), position.asOf) > position.first;
  }

  /**
   * The page's full documents, through the collection like the aggregations: the filter is in
   * stored types already (ObjectIds, visibilityFilter's values), so a mongoose Query would only
   * add its casting and per-query bookkeeping (≈ 0.4 ms of client CPU per search); the
   * documents are what `.lean()` returns.
   */
  private async pageDocuments(ids: Types.ObjectId[], viewer: Viewer): Promise<Map<string, ResourceDoc>> {
    if (ids.length === 0) return new Map();
    const filter: Record<string, unknown> = { $and: [{ _id: { $in: ids } }, visibilityFilter(viewer)] };
    const docs = await this.models.Resource.collection.find<ResourceDoc>(filter, { projection: { searchTerms: 0 } }).toArray();
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

function highlights(node: ResourceDoc, targets: readonly string[]): SearchHighlights {
  const text = htmlToText(node.body ?? '') || node.summary || '';
  return {
    title: highlightAll(node.title, targets).html,
    body: text ? highlightSnippet(text.replace(/\s+/g, ' '), targets, SNIPPET_LENGTH).html : null,
  };
}

/** Buckets by count, then value; values are strings like the resource connections' facets. */
function buckets(counts: readonly FacetCount[]): FacetBucket[] {
  return [...counts].sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
