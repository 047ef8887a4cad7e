/**
 * Search for Chinese text on any MongoDB: stored bigram terms, a multikey index, ranking,
 * counts by facet combination and the ranked page in the database, highlighting in the application.
 *
 * Writers: store `searchTerms: computeSearchTerms(resource)` on every insert and update.
 * Readers: `new SearchService(models).search({ query, viewer, filter, first, after })`.
 */
export { computeSearchTerms, MAX_SEARCH_TERMS, type Searchable } from './terms.js';
export { SearchQueryError } from './query.js';
export {
  SearchService,
  DEFAULT_PAGE_SIZE,
  MIN_TIERED_CANDIDATES,
  MAX_PAGE_SIZE,
  type SearchArgs,
  type SearchFacets,
  type SearchHighlights,
  type SearchHit,
  type SearchOptions,
  type SearchPage,
} from './service.js';
export { bundledSynonyms, loadSynonymDictionary, type SynonymDictionary } from './synonyms.js';
export { reindexSearchTerms, type ReindexStats } from './reindex.js';
export { ensureSearchTermsCurrent, SEARCH_TERMS_VERSION, type TermsMigration } from './terms-version.js';
