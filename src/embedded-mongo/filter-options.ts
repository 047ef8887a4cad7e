import type { Document } from 'bson';
import { ErrorCode, commandError } from './errors.js';
import { runPipeline } from './query.js';
import { isPlainObject, keyOf } from './values.js';

/**
 * Command options that change what a filter means: `let` variables (used by `$expr`) and a
 * collation. mingo evaluates filters without either, so they are applied to the filter first:
 * variables are bound into `$expr`, and a case-insensitive collation turns string equality
 * into anchored case-insensitive regular expressions.
 */
export interface FilterOptions {
  let?: unknown;
  collation?: unknown;
}

/** The filter with the command's `let` variables bound and its collation applied. */
export function applyFilterOptions(filter: Document | undefined, options: FilterOptions): Document | undefined {
  if (!filter) return filter;
  const variables = commandVariables(options.let);
  const bound = variables ? bindInFilter(filter, variables) : filter;
  return caseInsensitive(options.collation) ? collateFilter(bound) : bound;
}

/**
 * A command's `let` variables, evaluated: each value is an expression computed once per
 * command (`{$literal: "$x"}` is the string "$x"), as mingo expects constants.
 */
export function commandVariables(value: unknown): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw commandError(ErrorCode.TypeMismatch, "'let' 必须是文档 / 'let' must be a document");
  if (Object.keys(value).length === 0) return undefined;
  return runPipeline([{}], [{ $addFields: value }], () => [])[0];
}

/** Variables only have meaning inside `$expr`; elsewhere `$$x` is a plain string. */
function bindInFilter(filter: Document, variables: Document): Document {
  const bound: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$expr') bound[key] = bindInExpression(value, variables);
    else if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) {
      bound[key] = value.map((member: unknown) => (isPlainObject(member) ? bindInFilter(member, variables) : member));
    } else bound[key] = value;
  }
  return bound;
}

function bindInExpression(expression: unknown, variables: Document): unknown {
  if (typeof expression === 'string' && expression.startsWith('$$')) {
    const name = expression.slice(2);
    if (!(name in variables)) return expression;
    // Wrapped so that a string such as "$x" is not read as a field path.
    return { $literal: variables[name] };
  }
  if (Array.isArray(expression)) return expression.map((item) => bindInExpression(item, variables));
  if (isPlainObject(expression)) {
    if ('$literal' in expression) return expression;
    return Object.fromEntries(Object.entries(expression).map(([key, value]) => [key, bindInExpression(value, variables)]));
  }
  return expression;
}

const COLLATION_FIELDS = new Set(['locale', 'strength', 'caseLevel', 'caseFirst', 'numericOrdering', 'alternate', 'maxVariable', 'backwards', 'normalization']);

/**
 * True when the collation makes string equality case-insensitive (strength 2). Strength 3 and
 * above, and the "simple" locale, compare strings as stored. Anything whose equality a regular
 * expression cannot express (strength 1, caseLevel, numericOrdering, alternate) is refused.
 */
export function caseInsensitive(collation: unknown): boolean {
  if (collation === undefined || collation === null) return false;
  if (!isPlainObject(collation) || typeof collation.locale !== 'string') {
    throw commandError(ErrorCode.FailedToParse, "collation 需要 locale / collation must be a document with a 'locale' string");
  }
  const unknown = Object.keys(collation).filter((key) => !COLLATION_FIELDS.has(key));
  if (unknown.length > 0) throw commandError(ErrorCode.FailedToParse, `未知的 collation 字段 / Unknown collation field(s): ${unknown.join(', ')}`);
  if (collation.locale === 'simple') return false;
  const strength = collation.strength ?? 3;
  if (collation.caseLevel === true || collation.numericOrdering === true || (collation.alternate ?? 'non-ignorable') !== 'non-ignorable' || strength === 1) {
    throw unsupportedCollation(collation);
  }
  if (strength === 2) return true;
  if (typeof strength === 'number' && strength >= 3 && strength <= 5) return false;
  throw commandError(ErrorCode.BadValue, `无效的 collation strength / Invalid collation strength: ${String(strength)}`);
}

function unsupportedCollation(collation: Document): Error {
  return commandError(
    ErrorCode.NotImplemented,
    `不支持此 collation / The embedded server supports collation strength 2 (case-insensitive) and 3, not ${JSON.stringify(collation)}`,
  );
}

/** Rewrites string equality so that it ignores case, as a strength-2 collation compares. */
function collateFilter(filter: Document): Document {
  const collated: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) {
      collated[key] = value.map((member: unknown) => (isPlainObject(member) ? collateFilter(member) : member));
    } else if (key.startsWith('$')) {
      collated[key] = value;
    } else {
      collated[key] = collateCondition(value);
    }
  }
  return collated;
}

function collateCondition(condition: unknown): unknown {
  if (typeof condition === 'string') return equalIgnoringCase(condition);
  if (!isPlainObject(condition) || !Object.keys(condition).every((key) => key.startsWith('$'))) return condition;
  const collated: Document = {};
  const put = (op: string, value: unknown): void => {
    if (op in collated) {
      throw commandError(ErrorCode.NotImplemented, `不支持此 collation 查询 / ${op} combined with a collated comparison is not supported by the embedded server`);
    }
    collated[op] = value;
  };
  for (const [op, operand] of Object.entries(condition)) {
    switch (op) {
      case '$eq':
        if (typeof operand === 'string') put('$regex', equalIgnoringCase(operand));
        else put(op, operand);
        break;
      case '$ne':
        put('$not', typeof operand === 'string' ? equalIgnoringCase(operand) : { $eq: operand });
        break;
      case '$in':
      case '$nin':
      case '$all':
        put(op, Array.isArray(operand) ? operand.map((item: unknown) => (typeof item === 'string' ? equalIgnoringCase(item) : item)) : operand);
        break;
      case '$not':
        put(op, collateCondition(operand));
        break;
      case '$elemMatch':
        put(op, isPlainObject(operand) ? collateElemMatch(operand) : operand);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (typeof operand === 'string') {
          throw commandError(ErrorCode.NotImplemented, `不支持按 collation 比较字符串范围 / ${op} on strings under a collation is not supported by the embedded server`);
        }
        put(op, operand);
        break;
      default:
        put(op, operand);
    }
  }
  return collated;
}

function collateElemMatch(operand: Document): Document {
  const operatorsOnly = Object.keys(operand).every((key) => key.startsWith('$'));
  return operatorsOnly ? (collateCondition(operand) as Document) : collateFilter(operand);
}

function equalIgnoringCase(value: string): RegExp {
  return new RegExp(`^${value.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')}$`, 'iu');
}

/** The collation as mingo's sort takes it (a BCP 47 locale), or undefined for binary order. */
export function sortCollation(collation: unknown): Document | undefined {
  if (collation === undefined || collation === null) return undefined;
  caseInsensitive(collation);
  const spec = collation as Document;
  return spec.locale === 'simple' ? undefined : { ...spec, locale: String(spec.locale).replace(/_/g, '-') };
}

/** Distinct values, with strings that differ only in case counted once (the first seen kept). */
export function collatedDistinct(values: unknown[], collation: unknown): unknown[] {
  if (!caseInsensitive(collation)) return values;
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = typeof value === 'string' ? `s:${value.toLocaleLowerCase()}` : `v:${keyOf(value)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
