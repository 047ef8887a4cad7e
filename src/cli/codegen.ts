import { writeFileSync } from 'node:fs';
import { generatedFiles } from '../graphql/codegen/index.js';

/** `npm run codegen`: regenerates the resolver types and the console's schema types after an SDL edit. */
for (const { path, content } of await generatedFiles()) {
  writeFileSync(path, content);
  console.log(`已生成 / generated ${path}`);
}
