import { findDocNumbers, queryDocNumberToken } from '../../search/doc-number.js';
import { normalizeText } from '../../search/normalize.js';

/**
 * The identity of a policy across feeds. A provincial policy republished by several
 * departments' feeds is one document: the same 发文字号 from the same issuer, or the same
 * original page. Each is a merge key; records sharing a key (and, for a number, an issuer)
 * are one resource.
 */

/** What a policy record offers to identify it. */
export interface PolicyIdentityFields {
  docNumber?: string | undefined;
  issuers?: readonly string[] | undefined;
  sourceUrl?: string | undefined;
}

/** Query parameters that only track the visit (analytics, share links), not the document. */
const TRACKING_PARAM = /^(utm_[a-z]+|spm|from|share_?token|_t|timestamp)$/i;

/**
 * 发文字号 in one canonical spelling: brackets folded to 〔〕, full-width digits halved,
 * the sequence without leading zeros (浙人社发[2024]003号 = 浙人社发〔2024〕3号). Numbers
 * the search normalizer does not recognize keep their normalized text without spaces.
 */
export function canonicalDocNumber(docNumber: string): string {
  const normalized = normalizeText(docNumber).replace(/\s+/gu, '');
  const matches = findDocNumbers(Array.from(normalized));
  const [only] = matches;
  return matches.length === 1 && only ? queryDocNumberToken(only) : normalized;
}

/**
 * The original page's address in one spelling: http and https alike, host lower case,
 * default port, fragment, trailing slash and tracking parameters dropped, the rest sorted.
 * `undefined` for anything that is not an http(s) URL.
 */
export function canonicalUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const params = [...parsed.searchParams.entries()]
    .filter(([name]) => !TRACKING_PARAM.test(name))
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  const query = params.length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
  const path = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/u, '') : '';
  return `${parsed.host}${path}${query}`;
}

/** The keys a policy is found by: `doc:` its canonical number, `url:` its canonical page. */
export function policyMergeKeys(fields: PolicyIdentityFields): string[] {
  const keys: string[] = [];
  if (fields.docNumber?.trim()) keys.push(`doc:${canonicalDocNumber(fields.docNumber)}`);
  const url = fields.sourceUrl ? canonicalUrl(fields.sourceUrl) : undefined;
  if (url) keys.push(`url:${url}`);
  return keys;
}

/** Administrative-area prefixes (浙江省, 湖州市, 吴兴区) in front of an agency's name. */
const AREA_PREFIX = /^\p{Script=Han}{2,6}?(?:自治区|自治州|省|市|州|盟|区|县|旗)/u;
/** The kind of body after the name (委员会, 局, 厅, …). */
const AGENCY_SUFFIX = /(?:委员会|办公厅|办公室|管理局|局|厅|部|委|署|办)$/u;

/**
 * An agency's name without its area and body type: 湖州市卫生健康委员会 → 卫生健康,
 * 浙江省人力资源和社会保障厅 → 人力资源和社会保障, 湖州市吴兴区司法局 → 司法.
 */
export function agencyCore(name: string): string {
  let core = normalizeText(name).replace(/\s+/gu, '');
  for (let strip = AREA_PREFIX.exec(core); strip && core.length - strip[0].length >= 2; strip = AREA_PREFIX.exec(core)) {
    core = core.slice(strip[0].length);
  }
  const suffix = AGENCY_SUFFIX.exec(core);
  if (suffix && core.length - suffix[0].length >= 2) core = core.slice(0, -suffix[0].length);
  return core;
}

function sameAgency(a: string, b: string): boolean {
  return a.length >= 2 && b.length >= 2 && (a.includes(b) || b.includes(a));
}

/**
 * Whether two copies with one 发文字号 can be one document: they name a common issuer, or
 * one of them names none (a feed that does not publish 发文机关).
 */
export function issuersCompatible(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  const cores = a.map(agencyCore);
  return b.map(agencyCore).some((core) => cores.some((other) => sameAgency(core, other)));
}

/**
 * Whether a department issued the policy: one of its 发文机关 is that department's agency
 * (司法行政 issues as 湖州市司法局, 卫生健康 as 浙江省卫生健康委员会). A heuristic on names.
 */
export function issuedByDepartment(issuers: readonly string[], departmentName: string): boolean {
  const department = agencyCore(departmentName);
  return issuers.some((issuer) => sameAgency(agencyCore(issuer), department));
}
