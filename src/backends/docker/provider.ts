import {existsSync, readFileSync} from 'node:fs'
import {Agent as HttpsAgent} from 'node:https'
import {homedir} from 'node:os'

import Docker from 'dockerode'

import type {Snapshot} from '../../manifests/model.js'
import type {BackendTarget, EndpointProvider, ServiceRef} from '../types.js'
import type {PlatformInfo} from './address.js'
import {type ContainerFacts, factsFromListEntry, withNetworkDrivers} from './containers.js'
import {type DockerView, explainDockerMiss, isLive, resolveDockerTarget} from './discovery.js'
import {EventStreamParser, isRelevantEvent} from './events.js'
import {type DockerEndpoint, type DockerHostCandidate, type HostFs, isLocalEndpoint, resolveDockerHost} from './host.js'

export interface DockerStatus {
  /** True while kingress has a live event stream from the engine. */
  readonly connected: boolean
  readonly state: 'connecting' | 'connected' | 'reconnecting' | 'unavailable' | 'closed'
  /** The engine's address as DOCKER_HOST would write it, once chosen (or the first one tried). */
  readonly host: string | null
  /** How the host was chosen: `DOCKER_HOST`, `docker context "colima"`, `default socket (Docker Desktop)`. */
  readonly hostSource: string | null
  /** e.g. `Docker 27.3.1 on Docker Desktop`; null until connected once. */
  readonly engine: string | null
  /** Why the engine is not usable right now, with what to do; null when connected. */
  readonly error: string | null
  /** Running (or paused/restarting) containers the engine reported at the last re-list. */
  readonly containers: number
  /** Date.now() of the last successful re-list. */
  readonly lastSyncAt: number | null
}

export interface DockerProviderOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  /** One line each: the engine could not be reached (and what to do), the connection was lost or came back. */
  onWarning?(line: string): void
  /** Quiet period between an event and the re-list (coalesces `kill`/`die`/`stop`). Default 100 ms. */
  readonly debounceMs?: number
  /** Timeout for each API call (ping, list); default 5000 ms (ssh: 15000 ms). */
  readonly requestTimeoutMs?: number
  /** Reconnect backoff: first delay and cap. Default 250 ms → 5000 ms. */
  readonly reconnectInitialMs?: number
  readonly reconnectMaxMs?: number
  /** For tests: the client platform, home directory and file access used to find the engine. */
  readonly platform?: NodeJS.Platform
  readonly home?: string
  readonly fs?: HostFs
}

export type DockerProvider = EndpointProvider & {
  status(): DockerStatus
  /** Why Docker had no answer for a Service that has no Service object (for "no backend" messages). */
  explainMiss(ref: ServiceRef): string
  /** Re-list now; resolves when done (tests, and a manual "refresh" in the dashboard). */
  refresh(): Promise<void>
}

const nodeFs: HostFs = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8')
    } catch {
      return undefined
    }
  },
  exists(path) {
    return existsSync(path)
  },
}

function errorCode(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | null)?.code
  return typeof code === 'string' ? code : undefined
}

function errorText(error: unknown): string {
  const code = errorCode(error)
  if (code === 'ENOENT') return 'no socket there (the engine is not running)'
  if (code === 'ECONNREFUSED') return 'connection refused (the engine is not running)'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ETIMEDOUT' || code === 'KINGRESS_TIMEOUT') return 'no answer in time'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host'
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n', 1)[0] ?? message
}

function whatToDo(tried: readonly {candidate: DockerHostCandidate; error: unknown}[], platform: NodeJS.Platform): string {
  if (tried.some((t) => errorCode(t.error) === 'EACCES' || errorCode(t.error) === 'EPERM')) {
    return 'add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), set DOCKER_HOST to a socket you can use, or pass --no-docker'
  }
  const first = tried[0]?.candidate
  if (first?.source === 'DOCKER_HOST') return 'start that engine or fix DOCKER_HOST, or pass --no-docker'
  if (first?.source === 'docker context') return 'start that engine or switch context (`docker context use default`), or pass --no-docker'
  const start =
    platform === 'darwin'
      ? 'start Docker Desktop (or `colima start`, or OrbStack)'
      : platform === 'win32'
        ? 'start Docker Desktop'
        : 'start Docker (`sudo systemctl start docker`, or Docker Desktop)'
  return `${start}, set DOCKER_HOST, or pass --no-docker`
}

export function describeConnectFailure(
  tried: readonly {candidate: DockerHostCandidate; error: unknown}[],
  platform: NodeJS.Platform,
): string {
  const attempts = tried.map((t) => `${t.candidate.url} (${t.candidate.sourceLabel}): ${errorText(t.error)}`).join('; ')
  return `Docker: cannot reach the engine — tried ${attempts}. To use containers as backends, ${whatToDo(tried, platform)}. Static --backend and EndpointSlice backends keep working.`
}

interface EngineInfo {
  OperatingSystem?: string
  ServerVersion?: string
  Name?: string
  SystemTime?: string
  SecurityOptions?: string[]
}

export function platformInfoFor(
  candidate: DockerHostCandidate,
  info: EngineInfo,
  clientPlatform: NodeJS.Platform,
): PlatformInfo {
  const os = info.OperatingSystem ?? ''
  const local = isLocalEndpoint(candidate.endpoint)
  const desktop = /docker desktop/i.test(os)
  const orbstack = /orbstack/i.test(os) || candidate.url.includes('.orbstack')
  const colima = candidate.url.includes('.colima') || /colima/i.test(info.Name ?? '')
  const rootless = (info.SecurityOptions ?? []).some((o) => o.includes('name=rootless'))
  const podman = candidate.url.includes('podman')
  const bridgeReachable = local && (orbstack || (clientPlatform === 'linux' && !desktop && !colima && !rootless))
  const engineLabel = !local
    ? `a remote engine (${candidate.url})`
    : desktop
      ? 'Docker Desktop'
      : orbstack
        ? 'OrbStack'
        : colima
          ? 'Colima'
          : rootless
            ? `rootless ${podman ? 'Podman' : 'Docker'} (containers live in their own network namespace)`
            : clientPlatform === 'linux'
              ? podman
                ? 'Podman on Linux'
                : 'Docker on Linux'
              : `the Docker VM (${os || 'unknown'})`
  const dialHost = local ? '127.0.0.1' : candidate.endpoint.kind === 'tcp' || candidate.endpoint.kind === 'ssh' ? candidate.endpoint.hostname : '127.0.0.1'
  return {bridgeReachable, dialHost, remote: !local, engineLabel}
}

function modemOptions(endpoint: DockerEndpoint, env: Readonly<Record<string, string | undefined>>, timeout: number | undefined): Docker.DockerOptions {
  // Every key explicit: docker-modem merges its own defaults read from process.env.DOCKER_HOST.
  const base = {host: undefined, port: undefined, socketPath: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, timeout}
  switch (endpoint.kind) {
    case 'unix':
      return {...base, socketPath: endpoint.socketPath}
    case 'npipe':
      return {...base, socketPath: endpoint.pipePath}
    case 'ssh':
      return {
        ...base,
        protocol: 'ssh',
        host: endpoint.hostname,
        port: endpoint.port,
        username: endpoint.username ?? env.USER ?? undefined,
        sshOptions: {agent: env.SSH_AUTH_SOCK},
      } as Docker.DockerOptions
    case 'tcp': {
      const tls = endpoint.tls
      if (tls === null) return {...base, protocol: 'http', host: endpoint.hostname, port: endpoint.port}
      const read = (path: string | null): Buffer | undefined => (path === null ? undefined : readFileSync(path))
      const ca = read(tls.ca)
      const cert = read(tls.cert)
      const key = read(tls.key)
      const options: Docker.DockerOptions = {...base, protocol: 'https', host: endpoint.hostname, port: endpoint.port, ca, cert, key}
      if (!tls.verify) (options as {agent?: unknown}).agent = new HttpsAgent({ca, cert, key, rejectUnauthorized: false})
      return options
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), {code: 'KINGRESS_TIMEOUT'})), ms)
    timer.unref()
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}

/** What changes routing; `Status` text ("Up 3 seconds") is left out, or every re-list would be a change. */
function fingerprint(containers: readonly ContainerFacts[]): string {
  return JSON.stringify(
    containers.map((c) => [c.id, c.name, c.state, c.health, c.networkMode, c.labels, c.ports, c.networks]),
  )
}

const DEFAULT_PLATFORM: PlatformInfo = {bridgeReachable: false, dialHost: '127.0.0.1', remote: false, engineLabel: 'Docker'}

class LiveDockerProvider implements DockerProvider {
  readonly name = 'docker'
  private readonly listeners = new Set<() => void>()
  private readonly env: Readonly<Record<string, string | undefined>>
  private readonly clientPlatform: NodeJS.Platform
  private readonly debounceMs: number
  private readonly reconnectInitialMs: number
  private readonly reconnectMaxMs: number
  private view: DockerView = {state: 'connecting', error: null, containers: [], platform: DEFAULT_PLATFORM}
  private state: DockerStatus['state'] = 'connecting'
  private candidates: readonly DockerHostCandidate[] = []
  private chosen: DockerHostCandidate | null = null
  private api: Docker | null = null
  private streamClient: Docker | null = null
  private stream: NodeJS.ReadableStream | null = null
  private engine: string | null = null
  private error: string | null = null
  private lastSyncAt: number | null = null
  private lastFingerprint = ''
  /** Engine clock, seconds: the `since` for a resubscription. */
  private lastEngineTime = 0
  private debounceTimer: NodeJS.Timeout | null = null
  private reconnectTimer: NodeJS.Timeout | null = null
  private reconnectDelay: number
  private reconciling: Promise<void> | null = null
  private reconcileAgain = false
  private closed = false
  private connectGeneration = 0

  constructor(private readonly options: DockerProviderOptions) {
    this.env = options.env ?? process.env
    this.clientPlatform = options.platform ?? process.platform
    this.debounceMs = options.debounceMs ?? 100
    this.reconnectInitialMs = options.reconnectInitialMs ?? 250
    this.reconnectMaxMs = options.reconnectMaxMs ?? 5000
    this.reconnectDelay = this.reconnectInitialMs
  }

  private warn(line: string): void {
    try {
      this.options.onWarning?.(line)
    } catch {
      // A broken log sink must not break discovery.
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener()
      } catch {
        // Listener errors are the listener's business.
      }
    }
  }

  private timeoutFor(candidate: DockerHostCandidate): number {
    return this.options.requestTimeoutMs ?? (candidate.endpoint.kind === 'ssh' ? 15_000 : 5000)
  }

  /** First connection: resolves once the engine answered (and containers are listed) or is known unreachable. */
  async start(): Promise<void> {
    const resolution = resolveDockerHost(this.env, this.options.fs ?? nodeFs, {
      home: this.options.home ?? this.env.HOME ?? homedir(),
      platform: this.clientPlatform,
    })
    if (resolution.error !== null) {
      this.state = 'unavailable'
      this.error = `Docker: ${resolution.error}. Or pass --no-docker; static --backend and EndpointSlice backends keep working.`
      this.view = {...this.view, state: 'unavailable', error: this.error}
      this.warn(this.error)
      return
    }
    this.candidates = resolution.candidates
    const ok = await this.connect(true)
    if (!ok && !this.closed) this.scheduleReconnect()
  }

  /** Tries each candidate; on success subscribes to events, then lists. */
  private async connect(first: boolean): Promise<boolean> {
    const generation = ++this.connectGeneration
    const tried: {candidate: DockerHostCandidate; error: unknown}[] = []
    const ordered = this.chosen === null ? this.candidates : [this.chosen, ...this.candidates.filter((c) => c !== this.chosen)]
    for (const candidate of ordered) {
      if (this.closed || generation !== this.connectGeneration) return false
      try {
        const timeout = this.timeoutFor(candidate)
        const api = new Docker(modemOptions(candidate.endpoint, this.env, timeout))
        await withTimeout(api.ping(), timeout)
        const info = (await withTimeout(api.info() as Promise<EngineInfo>, timeout)) ?? {}
        if (this.closed || generation !== this.connectGeneration) return false
        this.api = api
        this.streamClient = new Docker(modemOptions(candidate.endpoint, this.env, undefined))
        this.chosen = candidate
        const platform = platformInfoFor(candidate, info, this.clientPlatform)
        this.engine = describeEngine(info, platform)
        const engineNow = info.SystemTime !== undefined ? Math.floor(Date.parse(info.SystemTime) / 1000) : NaN
        const since = this.lastEngineTime > 0 ? this.lastEngineTime : Number.isFinite(engineNow) ? engineNow : undefined
        // Subscribe before listing so nothing falls between the two.
        await this.subscribe(since, timeout)
        this.view = {...this.view, platform}
        await this.reconcileNow(true)
        const wasDown = this.state === 'reconnecting' || (this.state === 'unavailable' && !first)
        this.state = 'connected'
        this.error = null
        this.view = {...this.view, state: 'connected', error: null}
        this.reconnectDelay = this.reconnectInitialMs
        if (wasDown) this.warn(`Docker: connected to the engine at ${candidate.url} (${candidate.sourceLabel}); containers re-listed`)
        this.notify()
        return true
      } catch (error) {
        tried.push({candidate, error})
        this.stopStream()
      }
    }
    if (this.closed) return false
    const line = describeConnectFailure(tried, this.clientPlatform)
    const hadData = this.view.containers.length > 0
    if (first || this.state === 'connecting') {
      this.state = 'unavailable'
      this.error = line
      this.view = {...this.view, state: 'unavailable', error: line}
      this.warn(line)
      this.notify()
    } else {
      this.error = line
      this.view = {...this.view, state: 'unavailable', error: line}
      if (!hadData) this.notify()
    }
    return false
  }

  private async subscribe(since: number | undefined, timeout: number): Promise<void> {
    const client = this.streamClient
    if (client === null) throw new Error('no client')
    const stream = await withTimeout(
      client.getEvents({since, filters: {type: ['container', 'network']}}),
      timeout,
    )
    if (this.closed) {
      destroyStream(stream)
      return
    }
    this.stream = stream
    const parser = new EventStreamParser()
    const onEvents = (events: ReturnType<EventStreamParser['push']>): void => {
      let relevant = false
      for (const event of events) {
        if (event.time > this.lastEngineTime) this.lastEngineTime = event.time
        if (isRelevantEvent(event)) relevant = true
      }
      if (relevant) this.scheduleReconcile()
    }
    stream.on('data', (chunk: Buffer | string) => onEvents(parser.push(chunk)))
    let ended = false
    const onEnd = (): void => {
      if (ended) return
      ended = true
      onEvents(parser.end())
      if (this.stream === stream) this.stream = null
      if (!this.closed && this.streamClient === client) this.lostStream()
    }
    stream.on('end', onEnd)
    stream.on('close', onEnd)
    stream.on('error', onEnd)
  }

  private lostStream(): void {
    if (this.state !== 'connected') return
    this.state = 'reconnecting'
    this.error = `Docker: lost the event stream from ${this.chosen?.url ?? 'the engine'}; reconnecting`
    this.view = {...this.view, state: 'unavailable', error: this.error}
    this.warn(`${this.error} (endpoints stay as last seen until then)`)
    this.streamClient = null
    this.scheduleReconnect(true)
  }

  private scheduleReconnect(immediate = false): void {
    if (this.closed || this.reconnectTimer !== null) return
    const delay = immediate ? Math.min(100, this.reconnectDelay) : this.reconnectDelay
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null
      void this.connect(false).then((ok) => {
        if (!ok && !this.closed) {
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.reconnectMaxMs)
          this.scheduleReconnect()
        }
      })
    }, delay)
    this.reconnectTimer.unref()
  }

  private scheduleReconcile(): void {
    if (this.closed || this.debounceTimer !== null) return
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null
      void this.reconcileNow(false).catch(() => {
        // The stream's end handler reconnects; a failed list during a live stream is retried.
        if (!this.closed && this.state === 'connected') setTimeout(() => this.scheduleReconcile(), 500).unref()
      })
    }, this.debounceMs)
    this.debounceTimer.unref()
  }

  /** Re-lists containers (and network drivers); serialised, and re-run once if asked again meanwhile. */
  private reconcileNow(silent: boolean): Promise<void> {
    if (this.reconciling !== null) {
      this.reconcileAgain = true
      return this.reconciling
    }
    const run = async (): Promise<void> => {
      do {
        this.reconcileAgain = false
        await this.listOnce(silent)
      } while (this.reconcileAgain && !this.closed)
    }
    this.reconciling = run().finally(() => {
      this.reconciling = null
    })
    return this.reconciling
  }

  private async listOnce(silent: boolean): Promise<void> {
    const api = this.api
    if (api === null || this.chosen === null) return
    const timeout = this.timeoutFor(this.chosen)
    const [entries, networks] = await Promise.all([
      withTimeout(api.listContainers({all: true}), timeout),
      withTimeout(api.listNetworks(), timeout).catch(() => [] as Docker.NetworkInspectInfo[]),
    ])
    if (this.closed) return
    const drivers = new Map<string, string>()
    for (const network of networks) if (typeof network.Name === 'string' && typeof network.Driver === 'string') drivers.set(network.Name, network.Driver)
    const containers = entries.map((entry) => withNetworkDrivers(factsFromListEntry(entry), drivers)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    this.lastSyncAt = Date.now()
    const print = fingerprint(containers)
    this.view = {...this.view, containers}
    if (print !== this.lastFingerprint) {
      this.lastFingerprint = print
      if (!silent) this.notify()
    }
  }

  private stopStream(): void {
    const stream = this.stream
    this.stream = null
    if (stream !== null) destroyStream(stream)
  }

  resolve(ref: ServiceRef, snapshot: Snapshot): BackendTarget | undefined {
    return resolveDockerTarget(ref, snapshot, this.view)
  }

  explainMiss(ref: ServiceRef): string {
    return explainDockerMiss(ref, this.view)
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  async refresh(): Promise<void> {
    if (this.state === 'connected') await this.reconcileNow(false)
  }

  status(): DockerStatus {
    return {
      connected: this.state === 'connected',
      state: this.state,
      host: this.chosen?.url ?? this.candidates[0]?.url ?? null,
      hostSource: this.chosen?.sourceLabel ?? this.candidates[0]?.sourceLabel ?? null,
      engine: this.engine,
      error: this.error,
      containers: this.view.containers.filter(isLive).length,
      lastSyncAt: this.lastSyncAt,
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.state = 'closed'
    this.connectGeneration++
    if (this.debounceTimer !== null) clearTimeout(this.debounceTimer)
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer)
    this.debounceTimer = null
    this.reconnectTimer = null
    this.stopStream()
    this.listeners.clear()
    await this.reconciling?.catch(() => undefined)
  }
}

function describeEngine(info: EngineInfo, platform: PlatformInfo): string {
  const os = info.OperatingSystem ?? 'unknown OS'
  const label = platform.engineLabel
  const where = label.startsWith('Docker on') || label.startsWith('Podman on') || os.includes(label) ? os : `${label}, ${os}`
  return `Docker ${info.ServerVersion ?? '?'} (${where})`
}

/**
 * A plain dockerode client for the engine kingress would use (same DOCKER_HOST / context / socket
 * rules), for tools and tests that manage containers. Pings each candidate; never throws.
 */
export async function openDockerClient(
  options: Pick<DockerProviderOptions, 'env' | 'platform' | 'home' | 'fs' | 'requestTimeoutMs'> = {},
): Promise<{ok: true; client: Docker; candidate: DockerHostCandidate} | {ok: false; reason: string}> {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const resolution = resolveDockerHost(env, options.fs ?? nodeFs, {home: options.home ?? env.HOME ?? homedir(), platform})
  if (resolution.error !== null) return {ok: false, reason: `Docker: ${resolution.error}`}
  const tried: {candidate: DockerHostCandidate; error: unknown}[] = []
  for (const candidate of resolution.candidates) {
    try {
      const timeout = options.requestTimeoutMs ?? 5000
      const client = new Docker(modemOptions(candidate.endpoint, env, timeout))
      await withTimeout(client.ping(), timeout)
      return {ok: true, client, candidate}
    } catch (error) {
      tried.push({candidate, error})
    }
  }
  return {ok: false, reason: describeConnectFailure(tried, platform)}
}

function destroyStream(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & {destroy?: () => void}
  try {
    destroyable.destroy?.()
  } catch {
    // already gone
  }
}

/**
 * Connects to the engine (DOCKER_HOST, docker context, default sockets) and keeps the container
 * list current from its event stream. Never rejects: without an engine the provider answers with
 * a problem for Services that have a selector, undefined otherwise, and keeps retrying quietly.
 */
export async function createDockerProvider(options: DockerProviderOptions = {}): Promise<DockerProvider> {
  const provider = new LiveDockerProvider(options)
  await provider.start()
  return provider
}
