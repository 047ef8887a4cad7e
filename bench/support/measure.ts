/** Timing helpers shared by benchmarks. */
import { readFileSync } from 'node:fs';

export interface Measured {
  ops: number;
  ms: number;
}

export async function timed(ops: number, work: () => Promise<unknown> | unknown): Promise<Measured> {
  const started = performance.now();
  await work();
  return { ops, ms: performance.now() - started };
}

/**
 * CPU time (ms, user + system) another process has used so far, from /proc (Linux); undefined
 * when it cannot be read (another OS, the process gone, no pid as with MONGODB_URI). Unlike
 * wall time it hardly moves with the machine's load.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
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
