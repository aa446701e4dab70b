import {formatDiagnostic} from '../manifests/diagnostic.js'
import type {EndpointEvent, EventBus, ListeningEvent, ReloadEvent} from '../runtime/events.js'
import {EMPTY_STATUS, type DashboardRequest, type DashboardStatus, type EndpointState, type RouteRow, type RouteRowEndpoint} from './types.js'
import {LatencyWindow, SlidingCounter, type WindowOptions} from './window-stats.js'

/**
 * Everything the dashboard shows, aggregated outside React. Bus listeners do O(1) work and no
 * allocation beyond the ring slot: push into a fixed ring buffer, bump counters, bump `version`.
 * The renderer polls `version` on a timer and takes a `snapshot()` only when it changed.
 */

export interface LogEntry {
  /** Increases by one per request: a stable key while entries shift in the ring. */
  readonly seq: number
  readonly event: DashboardRequest
}

export interface EndpointView extends RouteRowEndpoint {
  /** This endpoint's share of the route's requests over the last minute (0..1), null when the route had none. */
  readonly share: number | null
}

export interface RouteView {
  readonly routeId: number
  readonly host: string | null
  readonly path: string
  readonly pathType: string
  readonly service: string
  readonly problem: string | null
  readonly endpoints: readonly EndpointView[]
  readonly count: number
  readonly ratePerSec: number
  readonly p50: number | null
  readonly p99: number | null
  /** Store time of the last request served, 0 when none. */
  readonly lastServedAt: number
}

export interface ReloadView {
  readonly ok: boolean
  readonly generation: number
  readonly reason: string
  readonly message: string
  readonly routes: number
  readonly at: number
  /** The first error of a failed reload, as `file:line:col: field: message`, else null. */
  readonly firstError: string | null
  /** Warnings of this load. */
  readonly warnings: number
}

export interface TrafficSummary {
  readonly count: number
  readonly ratePerSec: number
  readonly p50: number | null
  readonly p99: number | null
  readonly lastServedAt: number
}

export interface Message {
  readonly at: number
  readonly text: string
}

export interface DashboardSnapshot {
  readonly now: number
  /** The newest line another part of kingress wrote to stderr while the dashboard was on, or null. */
  readonly message: Message | null
  readonly version: number
  readonly status: DashboardStatus
  /** status.urls merged with the URLs of `listening` events, in first-seen order. */
  readonly urls: readonly string[]
  readonly lastReload: ReloadView | null
  readonly routes: readonly RouteView[]
  /** Requests that matched no route (404s, default backends) over the last minute. */
  readonly unrouted: TrafficSummary
  /** Newest first, at most `capacity`. */
  readonly entries: readonly LogEntry[]
  /** Requests seen since start (or since the last clear). */
  readonly total: number
  readonly capacity: number
}

export interface StoreOptions extends WindowOptions {
  /** Requests kept for the log. Default 500. */
  readonly capacity?: number
  readonly now?: () => number
}

class RouteStats {
  readonly latency: LatencyWindow
  /** Requests per upstream address over the window, for shares. */
  readonly upstreams = new Map<string, SlidingCounter>()
  lastServedAt = 0

  constructor(
    private readonly options: WindowOptions,
    readonly since: number,
  ) {
    this.latency = new LatencyWindow(options)
  }

  record(event: DashboardRequest, now: number): void {
    this.latency.record(event.durationMs, now)
    this.lastServedAt = now
    const upstream = event.upstream
    if (upstream === null) return
    let counter = this.upstreams.get(upstream)
    if (!counter) {
      // Bounded by the endpoints the proxy dials for this route; pruned on reload.
      counter = new SlidingCounter(this.options)
      this.upstreams.set(upstream, counter)
    }
    counter.add(now)
  }
}

function routeKey(row: RouteRow): string {
  return `${row.host ?? ''}\u0000${row.path}\u0000${row.pathType}\u0000${row.service}`
}

function endpointKey(service: string, address: string): string {
  return `${service}\u0000${address}`
}

export class DashboardStore {
  readonly capacity: number
  private readonly now: () => number
  private readonly windowOptions: WindowOptions
  private readonly started: number

  private readonly ring: (LogEntry | undefined)[]
  /** Index where the next entry goes. */
  private head = 0
  private size = 0
  private seq = 0
  private totalRequests = 0

  private rows: readonly RouteRow[] = []
  /** Stats by a key that survives reloads (host, path, pathType, service): route ids do not. */
  private readonly statsByKey = new Map<string, RouteStats>()
  private readonly statsById = new Map<number, RouteStats>()
  private readonly unrouted: RouteStats

  /** Ejections seen on the bus: by `serviceKey\0address`, and by address alone for rows without serviceKey. */
  private readonly ejected = new Map<string, string | null>()
  private readonly ejectedAddresses = new Map<string, number>()

  private status: DashboardStatus = EMPTY_STATUS
  private readonly listeningUrls: string[] = []
  private lastReload: ReloadView | null = null
  private readonly messages: Message[] = []
  private changes = 0

  constructor(options: StoreOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 500)
    this.now = options.now ?? Date.now
    this.windowOptions = {bucketMs: options.bucketMs, slots: options.slots}
    this.started = this.now()
    this.ring = new Array<LogEntry | undefined>(this.capacity)
    this.unrouted = new RouteStats(this.windowOptions, this.started)
  }

  /** Increases on every change; equal versions mean equal snapshots (apart from time passing). */
  get version(): number {
    return this.changes
  }

  /** Subscribes to the bus; returns the unsubscribe function. */
  attach(bus: EventBus): () => void {
    const offs = [
      bus.on('request', (event) => this.onRequest(event)),
      bus.on('reload', (event) => this.onReload(event)),
      bus.on('endpoint', (event) => this.onEndpoint(event)),
      bus.on('listening', (event) => this.onListening(event)),
    ]
    return () => {
      for (const off of offs) off()
    }
  }

  /** O(1): one ring slot, one map lookup, a few counters. */
  onRequest(event: DashboardRequest): void {
    const now = this.now()
    this.ring[this.head] = {seq: ++this.seq, event}
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1
    if (this.size < this.capacity) this.size++
    this.totalRequests++
    const stats = event.routeId === null ? undefined : this.statsById.get(event.routeId)
    ;(stats ?? this.unrouted).record(event, now)
    this.changes++
  }

  onReload(event: ReloadEvent): void {
    const error = event.diagnostics.find((d) => d.severity === 'error')
    const warnings = event.diagnostics.filter((d) => d.severity === 'warning').length
    this.lastReload = {
      ok: event.ok,
      generation: event.generation,
      reason: event.reason,
      message: event.message,
      routes: event.routes,
      at: this.now(),
      firstError: error ? formatDiagnostic(error).split('\n')[0]! : null,
      warnings,
    }
    this.changes++
  }

  onEndpoint(event: EndpointEvent): void {
    const key = endpointKey(event.service, event.endpoint)
    if (event.kind === 'ejected') {
      if (!this.ejected.has(key)) this.ejectedAddresses.set(event.endpoint, (this.ejectedAddresses.get(event.endpoint) ?? 0) + 1)
      this.ejected.set(key, event.reason)
    } else if (event.kind === 'recovered' || event.kind === 'removed') {
      if (this.ejected.delete(key)) {
        const n = (this.ejectedAddresses.get(event.endpoint) ?? 1) - 1
        if (n <= 0) this.ejectedAddresses.delete(event.endpoint)
        else this.ejectedAddresses.set(event.endpoint, n)
      }
    }
    this.changes++
  }

  onListening(event: ListeningEvent): void {
    if (!this.listeningUrls.includes(event.url)) this.listeningUrls.push(event.url)
    this.changes++
  }

  /** The routes of the table now served (call on every reload). Stats follow a route across reloads by host, path, pathType and Service. */
  setRoutes(rows: readonly RouteRow[]): void {
    this.rows = rows
    const keep = new Set<string>()
    this.statsById.clear()
    const now = this.now()
    for (const row of rows) {
      const key = routeKey(row)
      keep.add(key)
      let stats = this.statsByKey.get(key)
      if (!stats) {
        stats = new RouteStats(this.windowOptions, now)
        this.statsByKey.set(key, stats)
      }
      this.statsById.set(row.routeId, stats)
      const addresses = new Set(row.endpoints.map((e) => e.address))
      for (const address of stats.upstreams.keys()) if (!addresses.has(address)) stats.upstreams.delete(address)
    }
    for (const key of this.statsByKey.keys()) if (!keep.has(key)) this.statsByKey.delete(key)
    this.changes++
  }

  setStatus(status: DashboardStatus): void {
    const old = this.status
    if (
      old.hosts === status.hosts &&
      old.ca === status.ca &&
      old.docker === status.docker &&
      sameList(old.manifests, status.manifests) &&
      sameList(old.urls, status.urls)
    ) {
      return
    }
    this.status = status
    this.changes++
  }

  /** A line written to stderr by another subsystem (kept: the last 50). */
  addMessage(text: string): void {
    const line = text.trim()
    if (line === '') return
    this.messages.push({at: this.now(), text: line})
    if (this.messages.length > 50) this.messages.shift()
    this.changes++
  }

  /** The messages captured, oldest first (to print once the terminal is back). */
  takeMessages(): Message[] {
    return this.messages.splice(0)
  }

  /** Empties the request log (the `c` key). Route statistics keep their minute. */
  clear(): void {
    this.ring.fill(undefined)
    this.head = 0
    this.size = 0
    this.totalRequests = 0
    this.changes++
  }

  snapshot(): DashboardSnapshot {
    const now = this.now()
    const entries: LogEntry[] = new Array<LogEntry>(this.size)
    for (let i = 0; i < this.size; i++) {
      const index = (this.head - 1 - i + this.capacity) % this.capacity
      entries[i] = this.ring[index]!
    }
    const routes = this.rows.map((row) => this.routeView(row, now))
    const urls = [...this.status.urls]
    for (const url of this.listeningUrls) if (!urls.includes(url)) urls.push(url)
    const unrouted = this.unrouted.latency.summary(now, now - this.started)
    return {
      now,
      message: this.messages.at(-1) ?? null,
      version: this.changes,
      status: this.status,
      urls,
      lastReload: this.lastReload,
      routes,
      unrouted: {...unrouted, lastServedAt: this.unrouted.lastServedAt},
      entries,
      total: this.totalRequests,
      capacity: this.capacity,
    }
  }

  private routeView(row: RouteRow, now: number): RouteView {
    const stats = this.statsById.get(row.routeId)
    const summary = stats ? stats.latency.summary(now, now - stats.since) : {count: 0, ratePerSec: 0, p50: null, p99: null}
    let served = 0
    const counts = row.endpoints.map((endpoint) => {
      const n = stats?.upstreams.get(endpoint.address)?.count(now) ?? 0
      served += n
      return n
    })
    const endpoints = row.endpoints.map((endpoint, i): EndpointView => {
      const state = this.endpointState(row, endpoint)
      return {...endpoint, ...state, share: served === 0 ? null : counts[i]! / served}
    })
    return {
      routeId: row.routeId,
      host: row.host,
      path: row.path,
      pathType: row.pathType,
      service: row.service,
      problem: row.problem ?? null,
      endpoints,
      count: summary.count,
      ratePerSec: summary.ratePerSec,
      p50: summary.p50,
      p99: summary.p99,
      lastServedAt: stats?.lastServedAt ?? 0,
    }
  }

  private endpointState(row: RouteRow, endpoint: RouteRowEndpoint): {state: EndpointState; reason: string | null} {
    if (endpoint.state !== 'ready') return {state: endpoint.state, reason: endpoint.reason}
    if (row.serviceKey !== undefined) {
      const key = endpointKey(row.serviceKey, endpoint.address)
      if (this.ejected.has(key)) return {state: 'ejected', reason: this.ejected.get(key) ?? endpoint.reason}
    } else if (this.ejectedAddresses.has(endpoint.address)) {
      return {state: 'ejected', reason: endpoint.reason}
    }
    return {state: endpoint.state, reason: endpoint.reason}
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
