import {proxyAddress, servedNames, type ServedNames} from '../hosts/served-names.js'
import {cleanHosts, syncHosts, type SyncReport} from '../hosts/sync.js'
import type {EventBus, ReloadEvent} from './events.js'
import type {RuntimeState} from './state.js'

export interface SessionHostsOptions {
  readonly hostsFile: string
  /** Where the proxy listens; a wildcard or named bind address (0.0.0.0, ::, localhost) is written as 127.0.0.1. */
  readonly bind: string
  /** `kingress up ... --hosts` as typed: suggested with sudo when the file is not writable. */
  readonly rerun: string
  /** The address a Gateway (`ns/name`) is served on; absent: --bind for the Gateways' hostnames too. */
  readonly gatewayAddress?: (gateway: string) => string
}

/**
 * `kingress up --hosts`: a session-owned block in the hosts file that follows the served hosts on
 * every successful reload and is removed on exit (only if it is still this process's). Ingress
 * hosts go to --bind; the hostnames of a Gateway's listeners and routes to that Gateway's address
 * (a name both claim goes to the Gateway, as the proxy answers it on --bind too).
 */
export class SessionHosts {
  private names: string[] = []
  private addresses = ''
  private last: SyncReport | null = null
  private pending: Promise<void> = Promise.resolve()
  private off: (() => void) | null = null
  private lastError: string | null = null

  constructor(
    private readonly options: SessionHostsOptions,
    private readonly current: () => RuntimeState,
  ) {}

  /** First sync: a permission or ownership problem is thrown (a UserError saying what to run). */
  async start(bus: EventBus, onChange: (report: SyncReport | null, error: string | null) => void): Promise<SyncReport> {
    const report = await this.sync(this.served())
    this.off = bus.on('reload', (event) => this.onReload(event, onChange))
    return report
  }

  /** `synced 3 hosts to /etc/hosts` for the dashboard's header. */
  status(): string {
    if (this.lastError !== null) return `error: ${this.lastError}`
    if (this.last === null) return 'not synced yet'
    const n = this.last.entries.length === 0 ? 0 : new Set(this.last.entries.map((e) => e.host)).size
    return `synced ${n} host${n === 1 ? '' : 's'} to ${this.last.hostsFile} (removed on exit)`
  }

  /** Removes the block if it is still this session's. Never throws: exit must go on. */
  async close(): Promise<string | null> {
    this.off?.()
    await this.pending
    try {
      const report = await cleanHosts({hostsFile: this.options.hostsFile, pid: process.pid})
      return report.changed ? `removed ${report.removed.length} host${report.removed.length === 1 ? '' : 's'} from ${report.hostsFile}` : null
    } catch (error) {
      return `could not clean ${this.options.hostsFile}: ${error instanceof Error ? error.message : String(error)} (run \`kingress hosts clean\`)`
    }
  }

  private onReload(event: ReloadEvent, onChange: (report: SyncReport | null, error: string | null) => void): void {
    if (!event.ok || event.reason === 'endpoints') return
    const next = this.served()
    if (sameList(next.names, this.names) && addressKey(next.addresses) === this.addresses) return
    this.pending = this.pending.then(async () => {
      try {
        const report = await this.sync(next)
        this.lastError = null
        onChange(report, null)
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error)
        onChange(null, this.lastError)
      }
    })
  }

  private served(): ServedNames {
    const state = this.current()
    return servedNames(state.ingresses, state.gateways, this.options.bind, this.options.gatewayAddress)
  }

  private async sync({names, wildcards, addresses}: ServedNames): Promise<SyncReport> {
    const report = await syncHosts({
      hostsFile: this.options.hostsFile,
      hosts: names,
      wildcards,
      addresses,
      ip: proxyAddress(this.options.bind),
      owner: 'session',
      rerun: this.options.rerun,
    })
    this.names = names
    this.addresses = addressKey(addresses)
    this.last = report
    return report
  }
}

function addressKey(addresses: ReadonlyMap<string, string>): string {
  return [...addresses].map(([host, ip]) => `${host}=${ip}`).join(' ')
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
