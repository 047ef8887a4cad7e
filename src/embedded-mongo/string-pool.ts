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
 * strings inside embedded documents are left as they are. A field whose texts mostly do not
 * repeat (a SKU, a title short enough) is left alone after a trial, so that it neither costs a
 * lookup per write nor fills the pool; the pool stops growing at MAX_STRINGS.
 */

/** In UTF-16 code units. */
const MAX_LENGTH = 32;
/** Arrays longer than this (a resource's search terms) are left alone: interning them costs more at insert than it saves. */
const MAX_ARRAY = 16;
const MAX_STRINGS = 65_536;
/** Texts of a field looked up before deciding whether it is worth pooling, and the share that must already be pooled. */
const TRIAL = 1000;
const MIN_REPEATS = 0.5;

/** How many texts of one field were looked up, and how many of them the pool already held. */
interface FieldUse {
  looked: number;
  repeated: number;
}

export class StringPool {
  private readonly strings = new Map<string, string>();
  private readonly fields = new Map<string, FieldUse>();

  /** How many distinct texts the pool holds. */
  get size(): number {
    return this.strings.size;
  }

  /** Replaces the document's short top-level strings, and those in its short top-level arrays, by the pooled instances. */
  share(doc: Doc): void {
    for (const key in doc) {
      const value: unknown = doc[key];
      if (typeof value === 'string') {
        if (value.length > MAX_LENGTH) continue;
        const use = this.worthPooling(key);
        if (use) doc[key] = this.pooled(value, use);
      } else if (Array.isArray(value) && value.length > 0 && value.length <= MAX_ARRAY) {
        const use = this.worthPooling(key);
        if (!use) continue;
        for (let i = 0; i < value.length; i++) {
          const element: unknown = value[i];
          if (typeof element === 'string' && element.length <= MAX_LENGTH) value[i] = this.pooled(element, use);
        }
      }
    }
  }

  /** The field's record while it is on trial or its texts repeat; undefined once they proved not to. */
  private worthPooling(field: string): FieldUse | undefined {
    let use = this.fields.get(field);
    if (!use) {
      use = { looked: 0, repeated: 0 };
      this.fields.set(field, use);
    }
    return use.looked < TRIAL || use.repeated >= use.looked * MIN_REPEATS ? use : undefined;
  }

  private pooled(text: string, use: FieldUse): string {
    use.looked++;
    const known = this.strings.get(text);
    if (known !== undefined) {
      use.repeated++;
      return known;
    }
    if (this.strings.size < MAX_STRINGS) this.strings.set(text, text);
    return text;
  }
}
