import { describe, expect, it } from 'vitest';
import { committedText, generatedFiles } from '../../src/graphql/codegen/index.js';

describe('generated types', () => {
  it('are up to date with schema/*.graphql (run `npm run codegen` after editing the SDL)', async () => {
    const files = await generatedFiles();
    expect(files.map((file) => file.content.includes('export type SyncStats = {'))).toEqual([true, true]);
    for (const { path, content } of files) expect(committedText(path), `${path} is stale: run npm run codegen`).toBe(content);
  });
});
