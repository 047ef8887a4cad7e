/**
 * The same policy from several feeds as one resource: identity (merge keys), precedence
 * between copies, and withdrawal only when every copy is dropped. Used by the resource
 * writer and withdrawal (src/ingest).
 */
export { canonicalDocNumber, canonicalUrl, policyMergeKeys, issuersCompatible, issuedByDepartment, agencyCore } from './identity.js';
export {
  prepareBatchMerge,
  takesPrecedence,
  dropCopies,
  carriedBy,
  type BatchMerge,
  type ClaimHolder,
  type CopyEntry,
  type MergeItem,
  type StoredCopies,
} from './copies.js';
