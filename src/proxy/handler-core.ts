import type {Duplex} from 'node:stream'

import type {ResolvedBackend, ResolvedEndpoint} from '../backends/resolver.js'
import type {EndpointEvent} from '../runtime/events.js'
import type {ListenerInfo, ProxyContext} from './context.js'

/** Per-listener bookkeeping shared by every exchange: in-flight count for draining, open tunnels. */
export class HandlerCore {
  inflight = 0
  draining = false
  readonly tunnels = new Set<Duplex>()
  private idleWaiters: (() => void)[] = []

  constructor(
    readonly ctx: ProxyContext,
    readonly listener: ListenerInfo,
  ) {}

  done(): void {
    this.inflight--
    if (this.inflight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  endpointEvent(kind: EndpointEvent['kind'], backend: ResolvedBackend, member: ResolvedEndpoint, reason: string | null): void {
    this.ctx.bus.emit('endpoint', {kind, service: backend.key, endpoint: member.address, reason})
  }
}
