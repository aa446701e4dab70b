import {Job, UpstreamConnection, type ConnectionOwner} from './connection.js'
import {UpstreamError} from './errors.js'
import type {UpstreamHandler, UpstreamPool, UpstreamRequest} from './handler.js'
import {requestHead} from './request-head.js'

export interface Http1PoolOptions {
  /** Upper bound of connections; requests beyond it wait in order. */
  readonly connections: number
  readonly connectTimeoutMs: number
  /** How long an idle connection is kept, at most. */
  readonly keepAliveMs: number
  readonly maxHeadSize: number
}

function reuse(pool: Http1Pool, connection: UpstreamConnection, idleMs: number | null): void {
  pool.reuse(connection, idleMs)
}

/** A server's `Keep-Alive: timeout=N` is trusted only to this much less, so kingress closes first. */
const KEEP_ALIVE_MARGIN_MS = 1000

/**
 * Plain-HTTP/1.1 keep-alive connections to one upstream address (`host:port`, `[v6]:port`): the
 * proxy's hot path. The most recently used idle connection is reused first (the least likely to
 * have been closed by the server in the meantime).
 */
export class Http1Pool implements UpstreamPool, ConnectionOwner {
  readonly maxHeadSize: number
  private readonly host: string
  private readonly port: number
  private readonly idle: UpstreamConnection[] = []
  private readonly queue: Job[] = []
  private readonly all = new Set<UpstreamConnection>()
  private closing = false
  private drained: (() => void) | null = null
  private empty: Promise<void> | null = null

  constructor(
    readonly address: string,
    private readonly options: Http1PoolOptions,
  ) {
    this.maxHeadSize = options.maxHeadSize
    const colon = address.lastIndexOf(':')
    const host = address.slice(0, colon)
    this.host = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
    this.port = Number(address.slice(colon + 1))
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): boolean {
    if (this.closing) {
      handler.onError(new UpstreamError('KINGRESS_UPSTREAM_POOL_CLOSED', `the connections to ${this.address} are closing`))
      return false
    }
    let job: Job
    try {
      job = new Job(request, handler, requestHead(request.method, request.path, request.headers, this.address, request.body !== null && !(Buffer.isBuffer(request.body) && request.body.length === 0)))
    } catch (error) {
      handler.onError(error as Error)
      return false
    }
    const connection = this.takeIdle()
    if (connection !== null) connection.run(job)
    else if (this.all.size < this.options.connections) this.open(job)
    else this.queue.push(job)
    return true
  }

  release(connection: UpstreamConnection, idleMs: number | null): void {
    // One turn of the event loop before reuse, as undici does (GHSA-35p6-xmwp-9g52): bytes the
    // upstream sent beyond its response, or its FIN, arrive first and retire the connection rather
    // than being read as the next request's answer.
    setImmediate(reuse, this, connection, idleMs)
  }

  /** @internal */
  reuse(connection: UpstreamConnection, idleMs: number | null): void {
    if (!connection.usable) return
    const next = this.nextJob()
    if (next !== null) {
      connection.run(next)
      return
    }
    if (this.closing) {
      connection.destroy()
      return
    }
    const hinted = idleMs === null ? this.options.keepAliveMs : Math.min(this.options.keepAliveMs, idleMs - KEEP_ALIVE_MARGIN_MS)
    if (hinted <= 0) {
      connection.destroy()
      return
    }
    connection.idleFor(hinted)
    this.idle.push(connection)
  }

  unusable(connection: UpstreamConnection): void {
    const at = this.idle.indexOf(connection)
    if (at !== -1) this.idle.splice(at, 1)
  }

  removed(connection: UpstreamConnection): void {
    this.all.delete(connection)
    this.unusable(connection)
    // A slot is free: the next waiting request gets a connection of its own.
    const next = this.all.size < this.options.connections ? this.nextJob() : null
    if (next !== null) this.open(next)
    if (this.all.size === 0 && this.drained !== null) this.drained()
  }

  close(): Promise<void> {
    this.closing = true
    for (const connection of [...this.idle]) connection.destroy()
    return this.whenEmpty()
  }

  destroy(): Promise<void> {
    this.closing = true
    const error = new UpstreamError('KINGRESS_UPSTREAM_POOL_CLOSED', `the connections to ${this.address} were closed`)
    for (const job of this.queue.splice(0)) {
      job.done = true
      job.handler.onError(error)
    }
    for (const connection of this.all) connection.destroy(error)
    return this.whenEmpty()
  }

  private whenEmpty(): Promise<void> {
    if (this.all.size === 0) return Promise.resolve()
    this.empty ??= new Promise((resolve) => {
      this.drained = resolve
    })
    return this.empty
  }

  private takeIdle(): UpstreamConnection | null {
    for (;;) {
      const connection = this.idle.pop()
      if (connection === undefined) return null
      if (connection.usable) return connection
    }
  }

  private open(job: Job): void {
    this.all.add(new UpstreamConnection(this, this.host, this.port, this.options.connectTimeoutMs, job))
  }

  private nextJob(): Job | null {
    while (this.queue.length > 0) {
      const job = this.queue.shift()!
      if (!job.done) return job
    }
    return null
  }
}
