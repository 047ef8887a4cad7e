/**
 * A problem with what the caller sent (an id, a cursor, a filter). The GraphQL layer turns it
 * into extensions.code BAD_USER_INPUT; it is never masked and never a 500.
 */
export class InvalidInputError extends Error {
  override readonly name: string = 'InvalidInputError';

  constructor(
    readonly zh: string,
    readonly en: string,
    /** The argument or input field at fault, e.g. "after" or "filter.orgUnit.code". */
    readonly field?: string,
  ) {
    super(`${zh} / ${en}`);
  }
}
