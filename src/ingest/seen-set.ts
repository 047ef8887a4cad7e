import { sourceIdDigest } from './content-hash.js';

/**
 * The source ids a full refresh has seen, held as sorted 64-bit digests (8 bytes each, so a
 * million records cost 8 MB) rather than as strings. A digest collision can only make a
 * record look seen, which errs on the safe side: it is not withdrawn.
 */
export class SeenSet {
  private digests = new BigUint64Array(1024);
  private size = 0;
  private sorted = true;

  add(sourceId: string): void {
    if (this.size === this.digests.length) {
      const grown = new BigUint64Array(Math.max(1024, this.digests.length * 2));
      grown.set(this.digests);
      this.digests = grown;
    }
    this.digests[this.size++] = sourceIdDigest(sourceId);
    this.sorted = false;
  }

  has(sourceId: string): boolean {
    if (!this.sorted) {
      this.digests = this.digests.slice(0, this.size).sort();
      this.sorted = true;
    }
    const target = sourceIdDigest(sourceId);
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.digests[mid]!;
      if (value === target) return true;
      if (value < target) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
