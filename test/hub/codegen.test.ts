import { describe, expect, it } from 'vitest';
import { committedResolverTypes, generateResolverTypes } from '../../src/graphql/codegen/index.js';

describe('generated resolver types', () => {
  it('are up to date with schema/*.graphql (run `npm run codegen` after editing the SDL)', async () => {
    const generated = await generateResolverTypes();
    expect(generated).toContain('export type Resolvers<');
    expect(committedResolverTypes(), 'src/graphql/generated/resolvers-types.ts is stale: run npm run codegen').toBe(generated);
  });
});
