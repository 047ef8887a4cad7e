/**
 * Source and target paths: `a.b[0].c`, `a["key with.dots"]`, and `items[*].url` (every
 * element) on the source side.
 */
export type PathSegment = string | number | '*';

const SEGMENT = /\.?([^.[\]]+)|\[(\d+|\*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\]/y;

export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < path.length) {
    const start = SEGMENT.lastIndex;
    const match = SEGMENT.exec(path);
    if (!match || (start === 0 && path.startsWith('.'))) {
      throw new Error(`无效的路径：${path} / Invalid path: ${path}`);
    }
    if (match[1] !== undefined) segments.push(match[1]);
    else {
      const inner = match[2] as string;
      if (inner === '*') segments.push('*');
      else if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else segments.push(inner.slice(1, -1).replace(/\\(.)/g, '$1'));
    }
  }
  if (segments.length === 0) throw new Error(`无效的路径：${path} / Invalid path: ${path}`);
  return segments;
}

export function isValidPath(path: string): boolean {
  try {
    parsePath(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads a path; `*` maps over arrays and gives an array of what it found. */
export function getPath(value: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    if (current === null || current === undefined) return undefined;
    if (segment === '*') {
      if (!Array.isArray(current)) return undefined;
      const rest = segments.slice(i + 1);
      return current.map((item) => getPath(item, rest)).filter((item) => item !== undefined);
    }
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Writes a path, creating objects and arrays on the way (no `*`, no prototype keys). */
export function setPath(target: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
  let current: Record<string | number, unknown> = target;
  segments.forEach((segment, index) => {
    if (segment === '*' || segment === '__proto__' || segment === 'constructor' || segment === 'prototype') {
      throw new Error(`目标路径不能包含 ${String(segment)} / Target path cannot contain ${String(segment)}`);
    }
    if (index === segments.length - 1) {
      current[segment] = value;
      return;
    }
    const next = segments[index + 1];
    if (current[segment] === undefined || current[segment] === null || typeof current[segment] !== 'object') {
      current[segment] = typeof next === 'number' ? [] : {};
    }
    current = current[segment] as Record<string | number, unknown>;
  });
}
