import type { Doc } from './values.js';

/**
 * One string instance per short text among a collection's stored documents. Documents come off
 * the wire (or the journal) each holding its own copy of every string, so ten thousand resources
 * of one department hold ten thousand copies of its name, scattered over the heap. A query that
 * compares, hashes or groups such values (a filter on `status`, a `$group` by department and
 * categories) then touches a cold copy per document; with the copies shared it touches a few
 * instances that stay in cache, and the heap holds one copy. Strings are immutable values, so
 * which instance a field holds is not observable: nothing else changes.
 *
 * Only short texts repeat (names, codes, statuses, tags): longer ones (titles, bodies) and
 * strings inside embedded documents are left as they are, and the pool stops growing at
 * MAX_STRINGS (texts it already holds are still shared).
 */

/** In UTF-16 code units. */
const MAX_LENGTH = 32;
/** Arrays longer than this (a resource's search terms) are left alone: interning them costs more at insert than it saves. */
const MAX_ARRAY = 16;
const MAX_STRINGS = 65_536;

export class StringPool {
  private readonly strings = new Map<string, string>();

  /** How many distinct texts the pool holds. */
  get size(): number {
    return this.strings.size;
  }

  /** Replaces the document's short top-level strings, and those in its short top-level arrays, by the pooled instances. */
  share(doc: Doc): void {
    for (const key in doc) {
      const value: unknown = doc[key];
      if (typeof value === 'string') {
        if (value.length <= MAX_LENGTH) doc[key] = this.pooled(value);
      } else if (Array.isArray(value) && value.length <= MAX_ARRAY) {
        for (let i = 0; i < value.length; i++) {
          const element: unknown = value[i];
          if (typeof element === 'string' && element.length <= MAX_LENGTH) value[i] = this.pooled(element);
        }
      }
    }
  }

  private pooled(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    if (this.strings.size < MAX_STRINGS) this.strings.set(text, text);
    return text;
  }
}
