/**
 * Errors kingress raises on purpose. A UserError is the user's to fix (exit 1, message only, no
 * stack); anything else that escapes a command is a kingress bug (exit 2).
 */
export class KingressError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class UserError extends KingressError {
  constructor(code: string, message: string) {
    super(code, message, 1)
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof KingressError && error.exitCode === 1
}
