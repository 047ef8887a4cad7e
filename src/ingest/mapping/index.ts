export { compileMapping, mappingSpecSchema, fieldRuleSchema, validatedRecord } from './spec.js';
export type { MappingSpec, FieldRule, CompiledMapping } from './spec.js';
export { transformSchema, TransformError, parseNumber } from './transforms.js';
export type { Transform } from './transforms.js';
export { parseDate, DateParseError, DATE_FORMATS, DEFAULT_TIMEZONE } from './dates.js';
export type { DateFormat } from './dates.js';
export { toHalfWidth, trimText, decodeEntities, sanitizeHtml, htmlToText, splitList, DEFAULT_SEPARATORS } from './text.js';
export { parsePath, getPath, setPath } from './paths.js';
export type { PathSegment } from './paths.js';
