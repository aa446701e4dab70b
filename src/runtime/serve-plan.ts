/**
 * What `up` or `demo` is asked to serve, as plain data: the command line oclif parsed, in its flag
 * names. It crosses the hand-off (src/cli/hand-off.ts) as JSON, so it holds nothing else.
 */
export interface ListenFlagValues {
  readonly 'http-port'?: number
  readonly 'https-port'?: number
  readonly bind: string
  readonly 'strict-tls': boolean
  readonly dashboard: boolean
  readonly 'log-format': string
  readonly profile: string
}

export interface UpPlan {
  readonly command: 'up'
  /** The manifest files and folders. */
  readonly inputs: readonly string[]
  readonly flags: ListenFlagValues & {
    readonly 'gateway-address'?: readonly string[]
    readonly 'listener-port'?: readonly string[]
    readonly backend?: readonly string[]
    readonly docker: boolean
    readonly class?: string
    readonly semantics: string
  }
  /** --hosts: the file it manages and the command line to re-run with sudo (both known only to the CLI). */
  readonly hosts: {readonly hostsFile: string; readonly rerun: string} | null
}

export interface DemoPlan {
  readonly command: 'demo'
  readonly flags: ListenFlagValues & {readonly gateway: boolean}
}

export type ServePlan = UpPlan | DemoPlan

/** The plan back from its JSON; anything else is a bug in the hand-off, not the user's mistake. */
export function decodeServePlan(text: string): ServePlan {
  const plan = JSON.parse(text) as ServePlan
  if (plan === null || typeof plan !== 'object' || (plan.command !== 'up' && plan.command !== 'demo') || typeof plan.flags !== 'object') {
    throw new Error(`not a serve plan: ${text.slice(0, 200)}`)
  }
  return plan
}

/** The environment variable that carries the plan across the hand-off, as JSON. */
export const SERVE_PLAN_VARIABLE = 'KINGRESS_SERVE_PLAN'
