import type { ObjectId } from 'bson';

/**
 * A hash map keyed by ObjectId value (its 12 bytes, read as three 32-bit words) that builds no
 * key string per lookup: open addressing over typed arrays, so a probe allocates nothing. `keyOf`
 * builds a 13-character string and hashes it, which `$lookup` paid for every local value.
 */
export class ObjectIdMap<V> {
  private words = new Int32Array(3 * 16);
  private values: Array<V | undefined> = new Array<V | undefined>(16);
  private used = new Uint8Array(16);
  private mask = 15;
  private count = 0;

  get(id: ObjectId): V | undefined {
    const b = id.id;
    const i = this.slot(word(b, 0), word(b, 4), word(b, 8));
    return this.used[i] === 1 ? this.values[i] : undefined;
  }

  set(id: ObjectId, value: V): void {
    const b = id.id;
    this.put(word(b, 0), word(b, 4), word(b, 8), value);
  }

  /** The slot holding the id, or the free slot where it goes. */
  private slot(w0: number, w1: number, w2: number): number {
    const { words, used, mask } = this;
    let i = slotOf(w0, w1, w2, mask);
    while (used[i] === 1 && !(words[3 * i + 2] === w2 && words[3 * i + 1] === w1 && words[3 * i] === w0)) i = (i + 1) & mask;
    return i;
  }

  private put(w0: number, w1: number, w2: number, value: V): void {
    const i = this.slot(w0, w1, w2);
    this.values[i] = value;
    if (this.used[i] === 1) return;
    this.used[i] = 1;
    this.words[3 * i] = w0;
    this.words[3 * i + 1] = w1;
    this.words[3 * i + 2] = w2;
    // At most half full, so that probe runs stay short.
    if (++this.count * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const { words, values, used } = this;
    const capacity = 2 * used.length;
    this.words = new Int32Array(3 * capacity);
    this.values = new Array<V | undefined>(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.count = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.put(words[3 * i]!, words[3 * i + 1]!, words[3 * i + 2]!, values[i] as V);
  }
}

/** Four bytes of an id as one 32-bit word. */
function word(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/** Mixes the three words (ids made by one process share most of the first two). */
function slotOf(w0: number, w1: number, w2: number, mask: number): number {
  const h = Math.imul(w2 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w0, 0x85ebca6b), 0x27d4eb2d);
  return (h ^ (h >>> 15)) & mask;
}
