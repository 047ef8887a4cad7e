export { allowlistPlugin } from './plugin.js';
export { persistedOperationsModule } from './resolvers.js';
export { PersistedOperationStore, sha256Hex, type PersistedOperationDoc } from './store.js';
