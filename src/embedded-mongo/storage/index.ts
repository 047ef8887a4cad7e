export type { Durability, IndexDefinition, JournalOp, RecoveryStats } from './types.js';
export { openFileDurability, type FileDurabilityOptions } from './file-durability.js';
