import DataLoader from 'dataloader';
import type { Types } from 'mongoose';

/** A loader of one document per ObjectId; missing (or invisible) ids load as null. */
export function loaderById<T extends { _id: Types.ObjectId }>(
  batch: (ids: readonly Types.ObjectId[]) => Promise<T[]>,
): DataLoader<Types.ObjectId, T | null, string> {
  return new DataLoader(
    async (ids) => {
      const found = new Map((await batch(ids)).map((doc) => [doc._id.toHexString(), doc]));
      return ids.map((id) => found.get(id.toHexString()) ?? null);
    },
    { cacheKeyFn: (id) => id.toHexString() },
  );
}

/** A loader of one document per unique string key (a code); missing keys load as null. */
export function loaderByKey<T>(batch: (keys: readonly string[]) => Promise<T[]>, keyOf: (doc: T) => string): DataLoader<string, T | null> {
  return new DataLoader(async (keys) => {
    const found = new Map((await batch(keys)).map((doc) => [keyOf(doc), doc]));
    return keys.map((key) => found.get(key) ?? null);
  });
}

/** A loader of every document matching a key, for keys shared by several documents (发文字号, parent id). */
export function loaderOfGroups<T>(
  batch: (keys: readonly string[]) => Promise<T[]>,
  keysOf: (doc: T) => readonly string[],
): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
    for (const doc of await batch(keys)) {
      for (const key of keysOf(doc)) groups.get(key)?.push(doc);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** The loaded values of a loadMany, failing on the first error and dropping missing ones. */
export function present<T>(values: readonly (T | null | Error)[]): T[] {
  return values.filter((value): value is T => {
    if (value instanceof Error) throw value;
    return value !== null;
  });
}
