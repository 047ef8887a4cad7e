import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, type Models, type ResourceDoc } from '../../src/db/index.js';
import { anonymousViewer, visibilityFilter } from '../../src/domain/visibility/index.js';
import { htmlToText } from '../../src/search/html-text.js';
import { normalizeText } from '../../src/search/normalize.js';
import { SearchService } from '../../src/search/index.js';
import { seedDemoData } from '../../seeds/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

/**
 * Search over the demo catalogue (the seeds' deterministic generator, written through the
 * sync writer, which computes searchTerms): hand-checked top hits, and an oracle check that
 * for words outside the synonym dictionary the index finds exactly the visible resources
 * whose text contains the word.
 */

let connection: Connection;
let models: Models;
let service: SearchService;
let visibleDocs: ResourceDoc[];

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('search_demo')));
  await seedDemoData(connection);
  models = createModels(connection);
  service = new SearchService(models);
  visibleDocs = await models.Resource.find(visibilityFilter(anonymousViewer)).lean<ResourceDoc[]>();
});

afterAll(async () => {
  await connection?.close();
});

const search = (query: string, first = 100) => service.search({ query, viewer: anonymousViewer, first });

function textOf(doc: ResourceDoc): string {
  const extra = doc.kind === 'POLICY' ? [doc.docNumber ?? '', ...(doc.issuers ?? [])] : doc.kind === 'SERVICE' ? [doc.itemCode ?? ''] : [];
  return normalizeText([doc.title, doc.summary ?? '', htmlToText(doc.body ?? ''), ...doc.tags, ...extra].join('\n'));
}

describe('search on the demo data', () => {
  it('puts the policy with the document number first', async () => {
    const page = await search('国办发〔2024〕12号');
    expect(page.hits[0]?.node.title).toBe('国务院办公厅关于进一步优化基层公共服务便利化水平的指导意见');
  });

  it('puts title matches of every word first', async () => {
    for (const query of ['学历证明 补办', '法律援助', '招聘会']) {
      const page = await search(query);
      expect(page.totalCount).toBeGreaterThan(0);
      const words = query.split(' ');
      const top = page.hits[0]!.node.title;
      expect(words.every((word) => top.includes(word))).toBe(true);
      // No hit ranked below one that lacks a word in its title has all words in its title.
      const inTitle = page.hits.map((hit) => words.every((word) => hit.node.title.includes(word)));
      expect(inTitle).toEqual([...inTitle].sort((a, b) => Number(b) - Number(a)));
    }
  });

  it('finds exactly the visible resources containing a word (outside the dictionary)', async () => {
    for (const word of ['备案', '预约', '补办', '培训', '登记']) {
      const expected = visibleDocs.filter((doc) => textOf(doc).includes(word)).map((doc) => doc._id.toHexString()).sort();
      const page = await search(word);
      const found = page.hits.map((hit) => hit.node._id.toHexString()).sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThanOrEqual(100);
      expect(page.totalCount).toBe(expected.length);
      expect(found).toEqual(expected);
    }
  });
});
