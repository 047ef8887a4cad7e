import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, type Models } from '../../src/db/index.js';
import { DEMO_REVIEW_FEED_ID, DEMO_SUBMISSIONS, seedDemoReviews } from '../../seeds/demo-reviews.js';
import { seedDemoData } from '../../seeds/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

describe('demo review work', () => {
  let connection: Connection;
  let models: Models;

  beforeAll(async () => {
    connection = await connectStore(uriForDb(uniqueDbName('demo_reviews')));
    models = createModels(connection);
    await seedDemoData(connection);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('adds pending submissions from a pseudo-feed and revisions of published resources', async () => {
    const counts = await seedDemoReviews(connection);
    expect(counts).toEqual({ submissions: DEMO_SUBMISSIONS.length, revisions: 2 });
    const pending = await models.Resource.find({ status: 'PENDING' }).lean();
    expect(pending.map((resource) => resource.title).sort()).toEqual(DEMO_SUBMISSIONS.map((record) => record.title).sort());
    for (const resource of pending) expect(resource.provenance[0]!.feedId.equals(DEMO_REVIEW_FEED_ID)).toBe(true);
    const revisions = await models.ReviewCase.find({ kind: 'REVISION', state: 'IN_REVIEW' }).lean();
    expect(revisions).toHaveLength(2);
    for (const revision of revisions) {
      const resource = await models.Resource.findById(revision.resource).lean();
      // The published version stays as it is until the revision is approved.
      expect(resource!.status).toBe('PUBLISHED');
      // Reports roll cases up from the units they record (src/domain/reports).
      expect(revision.orgUnits?.map(String)).toEqual(resource!.orgUnits.map(String));
      expect(Object.keys(revision.proposed!.set).length).toBeGreaterThan(1);
      expect(revision.stage).toBe(revision.stages[0]);
    }
  });

  it('writes nothing the second time', async () => {
    const cases = await models.ReviewCase.countDocuments();
    const resources = await models.Resource.countDocuments();
    expect(await seedDemoReviews(connection)).toEqual({ submissions: 0, revisions: 0 });
    expect(await models.ReviewCase.countDocuments()).toBe(cases);
    expect(await models.Resource.countDocuments()).toBe(resources);
  });
});
