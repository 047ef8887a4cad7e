import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { OperationLimits } from '../../config/index.js';
import type { GraphQLContext } from '../context.js';

/** The limits an operation can exceed; the error names one of them in `extensions.limit`. */
export type LimitName = 'depth' | 'cost' | 'aliases' | 'directives' | 'tokens' | 'time' | 'pageSize';

/** The largest page any connection serves (the catalog's own cap; every `first`/`last` is held to it). */
export const MAX_PAGE_SIZE = 100;
/** Page size assumed for a connection asked without `first`/`last` (the catalog's default). */
const DEFAULT_PAGE_SIZE = 20;
/** Length assumed for a plain list field (no paging arguments), such as `children` or `ancestors`. */
const ASSUMED_LIST_LENGTH = 5;

const LIMIT_LABELS: Record<LimitName, [string, string]> = {
  depth: ['深度', 'depth'],
  cost: ['复杂度', 'cost'],
  aliases: ['别名数', 'alias count'],
  directives: ['指令数', 'directive count'],
  tokens: ['词法单元数', 'token count'],
  time: ['执行时间', 'execution time'],
  pageSize: ['分页大小', 'page size'],
};

/** QUERY_TOO_COMPLEX naming the limit; its value only when `exposeLimits` is on. HTTP 400. */
export function limitError(limit: LimitName, limits: OperationLimits, value?: number): GraphQLError {
  const [zh, en] = LIMIT_LABELS[limit];
  const shown = limits.exposeLimits && value !== undefined ? `（上限 ${value}）` : '';
  const shownEn = limits.exposeLimits && value !== undefined ? ` (limit ${value})` : '';
  return new GraphQLError(`查询超出${zh}限制${shown} / Query exceeds the ${en} limit${shownEn}`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', limit, http: { status: 400 } },
  });
}

/**
 * Validation rules refusing deep, alias-heavy and directive-heavy documents before execution
 * (graphql-armor's rules, with our error). Apollo caches validation per document, so rules
 * that depend on variables (cost, page size) run in the plugin instead.
 */
export function limitValidationRules(limits: OperationLimits): ValidationRule[] {
  const report = (limit: LimitName, value: number) => ({
    exposeLimits: false,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null) => context?.reportError(limitError(limit, limits, value))],
  });
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...report('depth', limits.maxDepth) }),
    maxAliasesRule({ n: limits.maxAliases, ...report('aliases', limits.maxAliases) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report('directives', limits.maxDirectives) }),
  ] as ValidationRule[];
}

/**
 * A field costs 1 plus its selection, times the page size of a connection or an assumed
 * length for other object lists. A connection's own `edges`/`nodes` are not multiplied again.
 */
function pagedCost({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number {
  const pages = field.args.some((arg) => arg.name === 'first' || arg.name === 'last');
  if (pages) {
    const size = numberOr(args.first, numberOr(args.last, DEFAULT_PAGE_SIZE));
    return 1 + childComplexity * Math.max(size, 1);
  }
  // By the type's printed form: the schema may come from another copy of graphql (ESM/CJS), so no instanceof.
  const printed = String(field.type).replace(/!$/, '');
  const listed = printed.startsWith('[') && !type.name.endsWith('Connection') && !/^\[(String|Int|Float|Boolean|ID|DateTime)!?\]$/.test(printed);
  return 1 + childComplexity * (listed ? ASSUMED_LIST_LENGTH : 1);
}

/** The cost, or null when the variables do not fit the operation (execution then reports that as a 400). */
function costOf(compute: () => number): number | null {
  try {
    return compute();
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Variable "$')) return null;
    throw error;
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** The `first`/`last` values of one field, with variables applied. */
function pageSizesOf(args: ComplexityEstimatorArgs['args']): number[] {
  return [args.first, args.last].filter((value): value is number => typeof value === 'number');
}

/**
 * Refuses, before execution: operations above the cost limit (list fields weigh by their page
 * size) and pages above MAX_PAGE_SIZE. Stops resolving fields once the execution time limit
 * has passed. Renames the parser's token-limit error and the validation limits to
 * QUERY_TOO_COMPLEX (Apollo files them under parse/validation codes).
 */
export function limitsPlugin(limits: OperationLimits): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          let largestPage = 0;
          const cost = costOf(() => getComplexity({
            schema,
            query: document,
            variables: request.variables ?? {},
            operationName: operationName ?? undefined,
            estimators: [
              (estimate) => {
                for (const size of pageSizesOf(estimate.args)) largestPage = Math.max(largestPage, size);
                return pagedCost(estimate);
              },
            ],
          }));
          if (largestPage > MAX_PAGE_SIZE) throw limitError('pageSize', limits, MAX_PAGE_SIZE);
          if (cost === null) return;
          if (cost > limits.maxCost) throw limitError('cost', limits, limits.maxCost);
        },
        async executionDidStart() {
          const deadline = Date.now() + limits.executionTimeoutMs;
          return {
            willResolveField() {
              if (Date.now() > deadline) throw limitError('time', limits, limits.executionTimeoutMs);
            },
          };
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const extensions = error.extensions as Record<string, unknown>;
            if (typeof extensions.limit === 'string') {
              extensions.code = 'QUERY_TOO_COMPLEX';
            } else if (/^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(error.message)) {
              const renamed = limitError('tokens', limits, limits.maxTokens);
              error.message = renamed.message;
              Object.assign(extensions, renamed.extensions);
            }
          }
        },
      };
    },
  };
}
