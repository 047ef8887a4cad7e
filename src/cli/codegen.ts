import { writeFileSync } from 'node:fs';
import { generateResolverTypes, RESOLVER_TYPES_FILE } from '../graphql/codegen/index.js';

/** `npm run codegen`: regenerates src/graphql/generated/resolvers-types.ts after an SDL edit. */
writeFileSync(RESOLVER_TYPES_FILE, await generateResolverTypes());
console.log(`已生成 / generated ${RESOLVER_TYPES_FILE}`);
