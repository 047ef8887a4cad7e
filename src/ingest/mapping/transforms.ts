import { z } from 'zod';
import { DATE_FORMATS, DEFAULT_TIMEZONE, isValidTimezone, parseDate } from './dates.js';
import { DEFAULT_SEPARATORS, collapseWhitespace, decodeEntities, htmlToText, listSplitter, sanitizeHtml, toHalfWidth, trimText } from './text.js';

/**
 * Transforms a mapping rule applies in order. Each is plain JSON so that an admin can
 * register a feed without code. Scalar transforms apply to each element of an array.
 */
const jsonValue: z.ZodType<unknown> = z.json();

const timezone = z.string().refine(isValidTimezone, { message: '未知时区 / Unknown timezone' });

function validRegex(source: string, flags?: string): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
}
const regexFlags = z.string().regex(/^[imsu]*$/).optional();

export const transformSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('trim'), collapseWhitespace: z.boolean().default(false) }),
  z.object({ op: z.literal('halfWidth') }),
  z.object({ op: z.literal('decodeEntities') }),
  z.object({ op: z.literal('html'), output: z.enum(['sanitized', 'text']).default('sanitized') }),
  z.object({
    op: z.literal('date'),
    format: z.enum(DATE_FORMATS).default('auto'),
    timezone: timezone.optional(),
  }),
  z.object({ op: z.literal('split'), separators: z.array(z.string().min(1)).default(DEFAULT_SEPARATORS) }),
  z.object({ op: z.literal('join'), separator: z.string().default('；') }),
  z.object({ op: z.literal('number'), integer: z.boolean().default(false) }),
  z.object({ op: z.literal('string') }),
  z.object({
    op: z.literal('boolean'),
    true: z.array(z.string()).default(['是', '有', 'true', '1', 'yes', 'y', '免费']),
    false: z.array(z.string()).default(['否', '无', 'false', '0', 'no', 'n', '收费']),
  }),
  z.object({
    op: z.literal('lookup'),
    table: z.record(z.string(), jsonValue),
    /** keep: pass unknown values through; drop: make them empty; reject: fail the record. */
    otherwise: z.enum(['keep', 'drop', 'reject']).default('keep'),
  }),
  z.object({ op: z.literal('constant'), value: jsonValue }),
  z.object({ op: z.literal('default'), value: jsonValue }),
  z
    .object({ op: z.literal('regex'), pattern: z.string().min(1), group: z.union([z.number().int().min(0), z.string()]).default(1), flags: regexFlags })
    .refine((t) => validRegex(t.pattern, t.flags), { message: '无效的正则表达式 / Invalid regular expression' }),
  z
    .object({ op: z.literal('replace'), pattern: z.string().min(1), replacement: z.string().default(''), flags: regexFlags })
    .refine((t) => validRegex(t.pattern, t.flags), { message: '无效的正则表达式 / Invalid regular expression' }),
  z.object({ op: z.literal('template'), template: z.string().includes('{value}') }),
]);

export type Transform = z.input<typeof transformSchema>;
type ParsedTransform = z.output<typeof transformSchema>;

export class TransformError extends Error {}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

type Step = (value: unknown) => unknown;

/** Compiles a transform once (regexes, lookup maps), to run per record. */
export function compileTransform(transform: ParsedTransform, defaultTimezone: string = DEFAULT_TIMEZONE): Step {
  switch (transform.op) {
    case 'trim':
      return eachString((text) => (transform.collapseWhitespace ? collapseWhitespace(text) : trimText(text)));
    case 'halfWidth':
      return eachString(toHalfWidth);
    case 'decodeEntities':
      return eachString(decodeEntities);
    case 'html':
      return eachString(transform.output === 'text' ? htmlToText : sanitizeHtml);
    case 'date': {
      const zone = transform.timezone ?? defaultTimezone;
      return each((value) => {
        try {
          return parseDate(value, transform.format, zone);
        } catch (error) {
          throw new TransformError((error as Error).message);
        }
      });
    }
    case 'split': {
      const split = listSplitter(transform.separators);
      return (value) =>
        Array.isArray(value)
          ? value.flatMap((item) => (typeof item === 'string' ? split(item) : [item]))
          : typeof value === 'string'
            ? split(value)
            : value;
    }
    case 'join':
      return (value) => (Array.isArray(value) ? value.filter((item) => !isEmpty(item)).map(String).join(transform.separator) : value);
    case 'number':
      return each((value) => parseNumber(value, transform.integer));
    case 'string':
      return each((value) =>
        value instanceof Date ? value.toISOString() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value,
      );
    case 'boolean': {
      const yes = new Set(transform.true.map((word) => word.toLowerCase()));
      const no = new Set(transform.false.map((word) => word.toLowerCase()));
      return each((value) => {
        if (typeof value === 'boolean') return value;
        const word = toHalfWidth(String(value)).trim().toLowerCase();
        if (yes.has(word)) return true;
        if (no.has(word)) return false;
        throw new TransformError(`无法识别的是/否值 / Unrecognised yes/no value: ${String(value)}`);
      });
    }
    case 'lookup': {
      const table = new Map(Object.entries(transform.table));
      return each((value) => {
        const key = String(value);
        if (table.has(key)) return table.get(key);
        if (transform.otherwise === 'drop') return undefined;
        if (transform.otherwise === 'reject') throw new TransformError(`对照表中没有该值 / Value not in lookup table: ${key}`);
        return value;
      });
    }
    case 'constant':
      return () => transform.value;
    case 'default':
      return (value) => (isEmpty(value) ? transform.value : value);
    case 'regex': {
      const pattern = new RegExp(transform.pattern, transform.flags);
      return eachString((text) => {
        const match = pattern.exec(text);
        if (!match) return undefined;
        return typeof transform.group === 'number' ? match[transform.group] : match.groups?.[transform.group];
      });
    }
    case 'replace': {
      const pattern = new RegExp(transform.pattern, `g${transform.flags ?? ''}`);
      return eachString((text) => text.replace(pattern, transform.replacement));
    }
    case 'template':
      return each((value) => transform.template.replaceAll('{value}', String(value)));
  }
}

/** Applies `step` to a value or each element of an array, skipping empty values. */
function each(step: Step): Step {
  return (value) => {
    if (Array.isArray(value)) return value.map((item) => (isEmpty(item) ? item : step(item)));
    return isEmpty(value) ? value : step(value);
  };
}

function eachString(step: (text: string) => unknown): Step {
  return each((value) => (typeof value === 'string' ? step(value) : value));
}

/** Numbers as written in Chinese sheets: full-width digits, thousands separators, `169732.0`. */
export function parseNumber(value: unknown, integer: boolean): number {
  const number =
    typeof value === 'number' ? value : Number(toHalfWidth(String(value)).replace(/[,，\s]/g, '').replace(/^\+/, ''));
  if (!Number.isFinite(number) || (typeof value === 'string' && toHalfWidth(value).trim() === '')) {
    throw new TransformError(`不是数字 / Not a number: ${String(value)}`);
  }
  if (integer && !Number.isInteger(number)) throw new TransformError(`不是整数 / Not an integer: ${String(value)}`);
  return number;
}
