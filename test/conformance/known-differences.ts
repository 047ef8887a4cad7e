import { existsSync, readFileSync } from 'node:fs';
import { caseKey } from './suite.js';

/** One listed conformance case: `- \`file.json\` › \`test description\`: reason`. */
const CASE_LINE = /^- `([^`]+\.json)` › `([^`]+)`: (.+)$/;
const SECTION_HEADING = /^(#+)\s+Known differences from MongoDB\s*$/i;

/**
 * The conformance cases that docs/embedded-mongo.md lists, with their reasons, under its
 * "Known differences from MongoDB" heading (down to the next heading of the same level).
 * Keys are `file › description`.
 */
export function listedConformanceCases(docPath: string): Map<string, string> {
  const listed = new Map<string, string>();
  if (!existsSync(docPath)) return listed;
  let sectionLevel = 0;
  for (const line of readFileSync(docPath, 'utf8').split(/\r?\n/)) {
    const heading = /^(#+)\s/.exec(line);
    if (heading) {
      const start = SECTION_HEADING.exec(line);
      if (start) sectionLevel = start[1]!.length;
      else if (sectionLevel > 0 && heading[1]!.length <= sectionLevel) sectionLevel = 0;
      continue;
    }
    const entry = sectionLevel > 0 ? CASE_LINE.exec(line) : null;
    if (entry) listed.set(caseKey(entry[1]!, entry[2]!), entry[3]!);
  }
  return listed;
}
