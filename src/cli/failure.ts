import {isUserError} from '../errors.js'

/**
 * What a command that failed prints, and its exit status, as DESIGN.md's CLI contract says: a
 * user's mistake is one actionable line (1); anything else is a kingress bug, with its stack (2).
 */
export function reportFailure(error: unknown): 1 | 2 {
  if (isUserError(error)) {
    process.stderr.write(`kingress: ${error.message}\n`)
    return 1
  }
  const text = error instanceof Error ? (error.stack ?? String(error)) : String(error)
  process.stderr.write(`kingress: internal error (a bug in kingress, please report it):\n${text}\n`)
  return 2
}
