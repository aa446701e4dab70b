import {createHash} from 'node:crypto'

import type {IngressPolicy} from './policy.js'
import {cookieValue, type RequestView} from './request-view.js'

type Affinity = NonNullable<IngressPolicy['affinity']>

/** The cookie value naming an endpoint: a short hash, so addresses are not exposed to the browser. */
export function affinityToken(endpointId: string): string {
  return createHash('sha1').update(endpointId).digest('hex').slice(0, 16)
}

/** The endpoint the client's affinity cookie points at, if it is still among the candidates. */
export function stickyEndpoint<T extends {readonly id: string}>(affinity: Affinity, req: RequestView, candidates: readonly T[]): T | undefined {
  const token = cookieValue(req.headers, affinity.cookieName)
  if (!token) return undefined
  return candidates.find((endpoint) => affinityToken(endpoint.id) === token)
}

export function affinityCookie(affinity: Affinity, endpointId: string, routePath: string): string {
  const parts = [`${affinity.cookieName}=${affinityToken(endpointId)}`, `Path=${affinity.path ?? routePath}`, 'HttpOnly']
  if (affinity.maxAgeSeconds !== null) {
    parts.push(`Max-Age=${affinity.maxAgeSeconds}`, `Expires=${new Date(Date.now() + affinity.maxAgeSeconds * 1000).toUTCString()}`)
  }
  return parts.join('; ')
}
