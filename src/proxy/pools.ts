import {createRequire} from 'node:module'
import type {Pool as UndiciPool} from 'undici'

import type {UpstreamHandler, UpstreamPool, UpstreamRequest} from './upstream/handler.js'
import {Http1Pool} from './upstream/pool.js'

/**
 * undici's Pool alone, loaded on first use (HTTPS and gRPC upstreams). The package root also loads
 * fetch, WebSocket, caches and more: about 9 MB of idle memory the proxy never uses (undici is
 * pinned exactly, so the path is stable).
 */
function undiciPool(): typeof UndiciPool {
  return createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof UndiciPool
}

export type UpstreamProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS'

export interface PoolOptions {
  readonly connectTimeoutMs: number
  /** Upper bound of connections to one endpoint; requests beyond it wait in the pool's queue. */
  readonly connections: number
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = {connectTimeoutMs: 5000, connections: 256}

/** Idle upstream connections close after this long: before Node's 5 s default on the other side. */
const KEEP_ALIVE_MS = 4000
const MAX_HEAD_SIZE = 64 * 1024

/** How long a pool no table references lives on (in-flight requests on an old table may still use it). */
const ORPHAN_GRACE_MS = 60_000

/**
 * One undici keep-alive pool per endpoint address (`host:port`), created on first use and shared by
 * every table that lists the address, so a reload keeps warm connections.
 */
export class PoolRegistry {
  private readonly pools = new Map<string, UpstreamPool>()
  private readonly orphanTimers = new Map<string, NodeJS.Timeout>()
  /** Pool key → endpoint address, for the keys that are not the address itself. */
  private readonly addresses = new Map<string, string>()
  private closed = false

  constructor(private readonly options: PoolOptions = DEFAULT_POOL_OPTIONS) {}

  /**
   * A pool for backend-protocol HTTPS/GRPC/GRPCS or a per-route proxy-connect-timeout: keyed by
   * protocol, address and connect timeout, so such routes never share connections with plain HTTP.
   * HTTPS and GRPCS do not verify the upstream certificate (ingress-nginx's proxy-ssl-verify: off).
   */
  getFor(address: string, protocol: UpstreamProtocol, connectTimeoutMs: number | null): UpstreamPool {
    if (protocol === 'HTTP' && connectTimeoutMs === null) return this.get(address)
    const key = `${protocol} ${address} ${connectTimeoutMs ?? ''}`
    return this.pools.get(key) ?? this.create(key, address, protocol, connectTimeoutMs)
  }

  /** The plain HTTP pool of an endpoint: what every request on a route without annotations uses. */
  get(address: string): UpstreamPool {
    return this.pools.get(address) ?? this.create(address, address, 'HTTP', null)
  }

  private create(key: string, address: string, protocol: UpstreamProtocol, connectTimeoutMs: number | null): UpstreamPool {
    const pool = protocol === 'HTTP' ? this.http1(address, connectTimeoutMs) : this.undici(address, protocol, connectTimeoutMs)
    this.pools.set(key, pool)
    if (key !== address) this.addresses.set(key, address)
    return pool
  }

  private http1(address: string, connectTimeoutMs: number | null): UpstreamPool {
    return new Http1Pool(address, {
      connections: this.options.connections,
      connectTimeoutMs: connectTimeoutMs ?? this.options.connectTimeoutMs,
      keepAliveMs: KEEP_ALIVE_MS,
      maxHeadSize: MAX_HEAD_SIZE,
    })
  }

  private undici(address: string, protocol: UpstreamProtocol, connectTimeoutMs: number | null): UpstreamPool {
    const tls = protocol === 'HTTPS' || protocol === 'GRPCS'
    const h2 = protocol === 'GRPC' || protocol === 'GRPCS'
    const Pool = undiciPool()
    const pool = new Pool(`${tls ? 'https' : 'http'}://${address}`, {
      connections: this.options.connections,
      pipelining: 1,
      // gRPC needs HTTP/2: prior knowledge (h2c) over TCP, ALPN over TLS. (Pool passes useH2c to its
      // connector only inside `connect`; undici's own H2CClient is a single connection.)
      connect: {timeout: connectTimeoutMs ?? this.options.connectTimeoutMs, ...(tls ? {rejectUnauthorized: false} : h2 ? {useH2c: true} : {})},
      ...(h2 ? {allowH2: true} : {}),
      keepAliveTimeout: KEEP_ALIVE_MS,
      maxHeaderSize: MAX_HEAD_SIZE,
      // Timeouts are set per request by the proxy.
      headersTimeout: 0,
      bodyTimeout: 0,
    } as ConstructorParameters<typeof UndiciPool>[1])
    return {
      // The exchange speaks undici's handler protocol: undici's types want Buffer header names only.
      dispatch: (request: UpstreamRequest, handler: UpstreamHandler) => pool.dispatch(request, handler as unknown as Parameters<UndiciPool['dispatch']>[1]),
      close: () => pool.close(),
      destroy: () => pool.destroy(),
    }
  }

  /** Called after a swap with the addresses the new table lists: the others close after a grace period. */
  retain(addresses: ReadonlySet<string>): void {
    if (this.closed) return
    for (const address of this.pools.keys()) {
      const timer = this.orphanTimers.get(address)
      if (addresses.has(this.addresses.get(address) ?? address)) {
        if (timer) {
          clearTimeout(timer)
          this.orphanTimers.delete(address)
        }
      } else if (!timer) {
        const t = setTimeout(() => this.drop(address), ORPHAN_GRACE_MS)
        t.unref()
        this.orphanTimers.set(address, t)
      }
    }
  }

  private drop(address: string): void {
    this.orphanTimers.delete(address)
    const pool = this.pools.get(address)
    this.pools.delete(address)
    this.addresses.delete(address)
    pool?.close().catch(() => {})
  }

  async close(): Promise<void> {
    this.closed = true
    for (const timer of this.orphanTimers.values()) clearTimeout(timer)
    this.orphanTimers.clear()
    const pools = [...this.pools.values()]
    this.pools.clear()
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})))
  }
}
