/**
 * An access decision the caller sees, with its GraphQL extensions.code:
 * - UNAUTHENTICATED: no, a bad, an expired token, or a deleted user;
 * - FORBIDDEN: the target is visible to the caller, the action is not allowed;
 * - NOT_FOUND: missing, or invisible to the caller (the two are indistinguishable);
 * - CONFLICT: the target's state does not allow the action (e.g. self-approval, closed case).
 */
export type AccessErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';

export class AccessError extends Error {
  override readonly name: string = 'AccessError';

  constructor(
    readonly code: AccessErrorCode,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
  }
}

export const unauthenticated = (): AccessError => new AccessError('UNAUTHENTICATED', '需要登录', 'Authentication required');
export const forbidden = (): AccessError => new AccessError('FORBIDDEN', '无权执行此操作', 'You are not allowed to do this');
export const notFound = (what = '对象', whatEn = 'Object'): AccessError => new AccessError('NOT_FOUND', `${what}不存在`, `${whatEn} not found`);
