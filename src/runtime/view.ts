import {shouldUseDashboard} from '../dashboard/index.js'
import type {LogFormat} from './access-log.js'
import {EventBus, type ReloadEvent} from './events.js'

/**
 * How a session is shown: the live dashboard (a TTY, not CI, no --no-dashboard) or the plain/JSON
 * access log. Chosen before the session starts, because the dashboard needs the bus from the first
 * event and the plain log must not be attached when the dashboard draws.
 */
export interface SessionView {
  readonly bus: EventBus
  readonly dashboard: boolean
  /** For startSession's `log`: null when the dashboard shows the traffic instead. */
  readonly log: {readonly out: NodeJS.WritableStream; readonly format: LogFormat} | null
  /** The initial load's event, emitted before the dashboard subscribes. */
  initialReload(): ReloadEvent | null
}

export function chooseView(flags: {readonly dashboard: boolean; readonly 'log-format': string}): SessionView {
  const dashboard = shouldUseDashboard({
    isTTY: process.stdout.isTTY === true && process.stdin.isTTY === true,
    noDashboardFlag: !flags.dashboard,
    env: process.env,
  })
  const bus = new EventBus()
  let initial: ReloadEvent | null = null
  if (dashboard) {
    const off = bus.on('reload', (event) => {
      if (event.initial) {
        initial = event
        off()
      }
    })
  }
  return {
    bus,
    dashboard,
    log: dashboard ? null : {out: process.stdout, format: flags['log-format'] === 'json' ? 'json' : 'text'},
    initialReload: () => initial,
  }
}
