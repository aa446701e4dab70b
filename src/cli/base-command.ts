import {Command, Errors} from '@oclif/core'

import {reportFailure} from './failure.js'

/**
 * Every kingress command extends this: a user's mistake prints one actionable message and exits 1,
 * anything else is a kingress bug and exits 2 with the stack, as DESIGN.md's CLI contract says.
 */
export abstract class KingressCommand extends Command {
  protected override async catch(error: Error & {parse?: unknown; oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error
    if (error.parse !== undefined || error instanceof Errors.CLIError) {
      // Flag and argument mistakes (unknown flag, missing argument) are the user's to fix.
      process.stderr.write(`kingress ${this.id ?? ''}: ${error.message}\nSee \`kingress ${this.id?.replaceAll(':', ' ') ?? ''} --help\`.\n`)
      this.exit(1)
    }
    this.exit(reportFailure(error))
  }
}
