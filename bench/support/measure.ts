/** Timing helpers shared by benchmarks. */

export interface Measured {
  ops: number;
  ms: number;
}

export async function timed(ops: number, work: () => Promise<unknown> | unknown): Promise<Measured> {
  const started = performance.now();
  await work();
  return { ops, ms: performance.now() - started };
}

export function opsPerSecond({ ops, ms }: Measured): number {
  return (ops * 1000) / ms;
}

export function meanLatencyMs({ ops, ms }: Measured): number {
  return ms / ops;
}

export function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Prints a markdown table; the first row holds the headers. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const [header, ...body] = rows;
  if (!header) return;
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => ' --- ').join('|')}|`);
  for (const row of body) console.log(`| ${row.join(' | ')} |`);
}
