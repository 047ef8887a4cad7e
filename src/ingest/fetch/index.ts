export { createSafeFetch, safeFetchOptionsSchema, backoffDelayMs } from './safe-fetch.js';
export type { SafeFetchOptions, Resolver, ResolvedAddress } from './safe-fetch.js';
export { createAddressPolicy, isPublicAddress } from './address-policy.js';
export type { AddressPolicy } from './address-policy.js';
export {
  IngestError,
  INGEST_ERROR_CLASSES,
  classifyError,
  configError,
  sourceDataError,
} from './errors.js';
export type { IngestErrorClass, IngestErrorCode, IngestErrorOptions } from './errors.js';
