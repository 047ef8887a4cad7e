/**
 * `npm run bench`: runs every bench/*.bench.ts in sequence, each in its own process (so one
 * benchmark's heap and timers cannot skew the next), and passes their output through.
 * Extra arguments filter by name: `npm run bench -- embedded` runs only matching files.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(benchDir))
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`没有匹配的基准测试 / No benchmarks match ${filters.join(', ') || 'bench/*.bench.ts'}`);
  process.exit(1);
}

const failed: string[] = [];
for (const file of files) {
  console.log(`\n# ${file}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, file)], { stdio: 'inherit' });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) failed.push(`${file} (${signal ?? `exit ${code}`})`);
}

if (failed.length > 0) {
  console.error(`\n基准测试失败 / Benchmarks failed: ${failed.join(', ')}`);
  process.exit(1);
}
