import {renderDiagnostics} from '../cli/render-diagnostics.js'
import type {DashboardHandle} from '../dashboard/index.js'
import {renderSyncReport} from '../hosts/render.js'
import {shellQuote} from '../hosts/shell-quote.js'
import {profileNamed} from '../proxy/profile.js'
import type {PortChoice, Session, SessionOptions} from './session.js'
import {startQuietGc} from './quiet-gc.js'
import {SessionHosts, type SessionHostsOptions} from './session-hosts.js'
import {untilStopSignal} from './signals.js'
import {restoreServingTiering} from './tiering.js'
import type {SessionView} from './view.js'

/** The session options `up` and `demo` take from listenFlags and the chosen view. */
export function listenOptions(
  flags: {readonly 'http-port'?: number; readonly 'https-port'?: number; readonly bind: string; readonly 'strict-tls': boolean; readonly profile: string},
  view: SessionView,
): Pick<SessionOptions, 'bind' | 'http' | 'https' | 'strictTls' | 'profile' | 'log' | 'bus'> {
  return {
    bind: flags.bind,
    http: portChoice(flags['http-port'], 80, 8080),
    https: portChoice(flags['https-port'], 443, 8443),
    strictTls: flags['strict-tls'],
    profile: profileNamed(flags.profile),
    log: view.log,
    bus: view.bus,
  }
}

export function portChoice(flag: number | undefined, defaultPort: number, fallbackPort: number): PortChoice {
  return flag === undefined ? {port: defaultPort, explicit: false, fallbackPort} : {port: flag, explicit: true, fallbackPort}
}

export interface ServeOptions {
  readonly view: SessionView
  /** The manifest files and folders, for the dashboard's header. */
  readonly manifests: readonly string[]
  /** Lines printed after the `ready` line (the demo's curl examples). */
  readonly extraLines?: readonly string[]
  /** `--hosts`: the hosts file follows the served hosts and is cleaned on exit. */
  readonly hosts?: SessionHostsOptions | null
  /** The Docker provider's state for the dashboard's header, e.g. `connected (unix:///var/run/docker.sock), 3 containers`. */
  readonly dockerStatus?: () => string
}

/**
 * Prints what a started session needs said (warnings and port fallbacks on stderr; the `ready` line
 * on stdout), syncs the hosts file with --hosts, shows the dashboard when the view has one, waits
 * for SIGINT/SIGTERM (or `q`), then drains, cleans the hosts file and closes.
 */
export async function serveUntilStopped(session: Session, options: ServeOptions): Promise<void> {
  const warnings = session.diagnostics.filter((d) => d.severity !== 'note')
  if (warnings.length > 0) process.stderr.write(renderDiagnostics(warnings) + '\n')
  for (const fallback of session.fallbacks) process.stderr.write(`kingress: ${fallback.notice}\n`)
  for (const notice of session.notices) process.stderr.write(`kingress: gateway: ${notice}\n`)
  const trust = await caTrust()
  if (session.certificates) {
    for (const warning of session.certificates.current.warnings) process.stderr.write(`kingress: tls: ${warning}\n`)
    for (const line of trustNotice(session.certificates.current.ca, trust)) process.stderr.write(`kingress: ${line}\n`)
  }
  for (const backend of session.runtime.current.backends.all) {
    if (backend.problem !== null) process.stderr.write(`kingress: ${backend.label}: ${backend.problem}\n`)
  }
  let hosts: SessionHosts | null = null
  let dashboard: DashboardHandle | null = null
  if (options.hosts) {
    hosts = new SessionHosts({...options.hosts, gatewayAddress: (gateway) => session.gatewayAddress(gateway)}, () => session.runtime.current)
    try {
      const report = await hosts.start(session.bus, (report, error) => {
        if (report) for (const line of renderSyncReport(report).out) process.stderr.write(`kingress: hosts: ${line}\n`)
        if (error) process.stderr.write(`kingress: hosts: ${error}\n`)
        dashboard?.update()
      })
      const rendered = renderSyncReport(report)
      for (const line of [...rendered.out, ...rendered.warnings]) process.stderr.write(`kingress: hosts: ${line}\n`)
    } catch (error) {
      await session.close('hosts file')
      throw error
    }
  }
  // Handlers first, then the ready line: a script that signals as soon as it reads `ready` must find
  // them installed (until then SIGTERM's default action kills the process with no exit code).
  const stopped = untilStopSignal()
  const ready = [session.readyLine(), ...(options.extraLines ?? [])].join('\n')
  if (session.log) session.log.line(ready)
  else process.stdout.write(ready + '\n')

  if (options.view.dashboard) {
    session.runtime.captureDetail = true
    dashboard = await openDashboard(session, options, hosts, trust)
  }
  restoreServingTiering()
  const quietGc = startQuietGc()
  const signal = await stopped
  quietGc.stop()
  await dashboard?.stop()
  process.stderr.write(`kingress: ${signal}: draining in-flight requests and stopping\n`)
  await session.close(signal)
  const cleaned = await hosts?.close()
  if (cleaned) process.stderr.write(`kingress: hosts: ${cleaned}\n`)
  // Anything still holding the loop (a stuck client socket) must not keep kingress alive.
  setTimeout(() => process.exit(0), 1000).unref()
}

interface CaTrust {
  readonly installed: boolean
  readonly where: readonly string[]
}

/** Where the local CA is trusted (system store, NSS databases), read once at start. */
async function caTrust(env: NodeJS.ProcessEnv = process.env): Promise<CaTrust> {
  const {caTrustState} = await import('../tls/trust/index.js')
  return caTrustState({env}).catch(() => ({installed: false, where: []}))
}

/**
 * One or two lines when the local CA is not trusted yet (nothing when it is): what to run so
 * browsers and curl accept the certificates, and the variable Node clients need.
 */
function trustNotice(ca: {readonly certPath: string; readonly created: boolean}, trust: CaTrust): string[] {
  if (trust.installed) return []
  const what = ca.created ? `created a local certificate authority for HTTPS (${ca.certPath}); this machine does not trust it yet` : `the local certificate authority (${ca.certPath}) is not trusted on this machine yet`
  return [`${what}: run \`kingress ca install\` so browsers and curl accept kingress's certificates.`, `Node clients read CAs from a variable instead: NODE_EXTRA_CA_CERTS=${shellQuote(ca.certPath)}`]
}

async function openDashboard(session: Session, options: ServeOptions, hosts: SessionHosts | null, trust: CaTrust): Promise<DashboardHandle> {
  const {startDashboard, routeRows, routeMatch, gatewayRouteRows} = await import('../dashboard/index.js')
  const ca = trust.installed ? `trusted (${trust.where.join(', ')})` : 'not trusted yet: run kingress ca install'
  return startDashboard({
    bus: session.bus,
    initialReload: options.view.initialReload(),
    routes: () => {
      const state = session.runtime.current
      return [...routeRows(state.table, (route) => state.backends.forMatch(routeMatch(route))), ...gatewayRouteRows(state.gateways, state.backends)]
    },
    status: () => ({
      manifests: options.manifests,
      urls: session.allUrls,
      hosts: hosts ? hosts.status() : 'not managed (use --hosts, or kingress hosts sync)',
      ca,
      docker: options.dockerStatus ? options.dockerStatus() : 'off',
    }),
    // Raw mode swallows Ctrl-C: `q` and Ctrl-C stop exactly as a SIGINT would.
    onQuit: () => process.emit('SIGINT', 'SIGINT'),
  })
}
