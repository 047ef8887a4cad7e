import { generateDemoResources, SEED_ORG_UNITS } from '../../seeds/index.js';
import type { Prng } from '../../seeds/prng.js';

/**
 * Realistic Chinese resource text for benchmarks, recombined from the demo catalogue (its
 * titles, materials and body sentences, with the demo area names), so that tokenizing,
 * pinyin and index keys cost what they cost on real feeds rather than on one repeated row.
 * Shared by the search and ingest benchmarks.
 */

export type DemoResource = ReturnType<typeof generateDemoResources>[number];

export interface DemoCorpus {
  seeds: DemoResource[];
  /** Sentences of the catalogue's bodies and summaries. */
  sentences: string[];
  /** The distinct 申报材料 of the catalogue's services. */
  materials: string[];
  /** A title as feeds write it: a catalogue title, half of the time behind an area name, sometimes with a suffix. */
  title(base: DemoResource, prng: Prng): string;
}

const PLACES = [...new Set(SEED_ORG_UNITS.filter((u) => u.level <= 3).map((u) => u.name))];
const TITLE_SUFFIXES = ['', '', '', '办事指南', '（2025年修订）', '实施细则', '工作方案', '的通知'];

function sentencesOf(html: string): string[] {
  return html
    .replace(/<[^>]+>/g, '\n')
    .split(/[\n。]/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 6);
}

export function demoCorpus(): DemoCorpus {
  const seeds = generateDemoResources();
  return {
    seeds,
    sentences: seeds.flatMap((r) => [...sentencesOf(r.body ?? ''), ...sentencesOf(r.summary ?? '')]),
    materials: [...new Set(seeds.flatMap((r) => (r.kind === 'SERVICE' ? r.materials ?? [] : [])))],
    title(base, prng) {
      const place = prng.chance(0.5) ? prng.pick(PLACES) : '';
      return `${place}${base.title}${prng.pick(TITLE_SUFFIXES)}`;
    },
  };
}
