import type {EventBus, ReloadEvent} from '../runtime/events.js'
import type {DashboardStore} from './store.js'
import type {DashboardStatus, RouteRow} from './types.js'

/**
 * The dashboard's entry point. This module is cheap to import: ink and React are loaded by
 * `startDashboard` only, with a dynamic import().
 */

export type {DashboardStatus, RouteRow, RouteRowEndpoint, EndpointState, RequestDetail, HeaderList, DashboardRequest} from './types.js'
export {routeRows, gatewayRouteRows, routeMatch, endpointState, endpointAddress} from './route-rows.js'

export interface DashboardOptions {
  readonly bus: EventBus
  /** The routes served now. Called on start, after every `reload` event and on update(); must be cheap and do no I/O. */
  readonly routes: () => readonly RouteRow[]
  /** Header facts. Called before every frame (≤ 10/s); must be cheap and do no I/O. */
  readonly status: () => DashboardStatus
  /** `q` or Ctrl-C (stdin is in raw mode: Ctrl-C sends no SIGINT). Drain as SIGINT does, then call stop(). Called once. */
  readonly onQuit: () => void
  /** Requests kept for the log. Default 500. */
  readonly capacity?: number
  /** Default process.stdout / process.stdin. */
  readonly stdout?: NodeJS.WriteStream
  readonly stdin?: NodeJS.ReadStream
  /** Draw on the terminal's alternate screen, so quitting gives the shell its screen back. Default true. */
  readonly alternateScreen?: boolean
  /** Let ink route console.log output above the frame. Default true. */
  readonly patchConsole?: boolean
  /** The `reload` event emitted before the dashboard subscribed (the initial load), for the header. */
  readonly initialReload?: ReloadEvent | null
  /**
   * While the dashboard is on, lines other code writes to process.stderr would tear the frame: show
   * them in the header instead, and print them on the restored terminal at stop(). Default true.
   */
  readonly captureStderr?: boolean
  /** Share of one core drawing may use under sustained traffic; frames are spaced to stay under it (≤ 10/s). Default 0.02. */
  readonly cpuBudget?: number
  /** A store to feed (tests, or to read counters); one is created otherwise. */
  readonly store?: DashboardStore
}

export interface DashboardHandle {
  /** Re-read routes() and status() and draw now (e.g. after the hosts file was synced). */
  update(): void
  /** Unmounts, leaves raw mode and the alternate screen, shows the cursor. Safe to call twice. */
  stop(): Promise<void>
  readonly store: DashboardStore
}

export interface DashboardEnvironment {
  /** process.stdout.isTTY (and stdin should be a TTY too, for keys). */
  readonly isTTY: boolean | undefined
  /** --no-dashboard (oclif gives `dashboard: false`). */
  readonly noDashboardFlag: boolean
  readonly env: Readonly<Record<string, string | undefined>>
}

/**
 * False when stdout is not a TTY, with --no-dashboard, in CI (ink then draws only the last frame:
 * `CI` or `CONTINUOUS_INTEGRATION` set to anything but "0"/"false", as ink's is-in-ci decides), or
 * with TERM=dumb. The runtime then prints plain or JSON log lines.
 */
export function shouldUseDashboard({isTTY, noDashboardFlag, env}: DashboardEnvironment): boolean {
  if (noDashboardFlag || isTTY !== true) return false
  const inCi = (key: string): boolean => key in env && env[key] !== undefined && env[key] !== '0' && env[key] !== 'false'
  if (inCi('CI') || inCi('CONTINUOUS_INTEGRATION')) return false
  if (env.TERM === 'dumb') return false
  return true
}

/**
 * Renders the dashboard to the terminal. Lazily loads ink and React — in their production builds
 * when NODE_ENV is unset (React's development build makes every frame about twice as slow).
 */
export async function startDashboard(options: DashboardOptions): Promise<DashboardHandle> {
  if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production'
  const {mount} = await import('./mount.js')
  return mount(options)
}
