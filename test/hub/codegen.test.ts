import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { executeCodegen, loadCodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('generated resolver types', () => {
  it('are up to date with schema/*.graphql (run `npm run codegen` after editing the SDL)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: resolve(ROOT, 'codegen.yml') });
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const { result, error } = await executeCodegen({ ...config, cwd: ROOT });
      expect(error).toBeNull();
      expect(result.length).toBeGreaterThan(0);
      for (const file of result) {
        const committed = readFileSync(resolve(ROOT, file.filename), 'utf8');
        expect(committed, `${file.filename} is stale: run npm run codegen`).toBe(file.content);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
