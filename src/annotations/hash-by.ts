import {createHash} from 'node:crypto'

import {cookieValue, headerValue, type RequestView} from './request-view.js'

const VARIABLE = /\$([a-z_][a-z0-9_]*)/gi

/** Evaluates an nginx variable expression such as `$request_uri` or `$http_x_user$cookie_sid`. */
export function evaluateHashKey(expression: string, req: RequestView): string {
  return expression.replace(VARIABLE, (_all, name: string) => variable(name.toLowerCase(), req))
}

function variable(name: string, req: RequestView): string {
  switch (name) {
    case 'request_uri':
      return req.path + req.query
    case 'uri':
      return req.path
    case 'args':
    case 'query_string':
      return req.query.slice(1)
    case 'remote_addr':
    case 'binary_remote_addr':
      return req.remoteAddress
    case 'host':
      return req.host
    case 'scheme':
      return req.scheme
    case 'request_method':
      return req.method
  }
  if (name.startsWith('http_')) return headerValue(req.headers, name.slice(5).replaceAll('_', '-')) ?? ''
  if (name.startsWith('cookie_')) return cookieValue(req.headers, name.slice(7)) ?? ''
  if (name.startsWith('arg_')) return new URLSearchParams(req.query).get(name.slice(4)) ?? ''
  return ''
}

/**
 * Rendezvous (highest-random-weight) hashing: the same key picks the same endpoint, and removing an
 * endpoint only moves the keys that were on it — the property nginx's consistent hash gives.
 */
export function pickByHash<T extends {readonly id: string}>(key: string, endpoints: readonly T[]): T | undefined {
  let best: T | undefined
  let bestScore = -1
  for (const endpoint of endpoints) {
    const score = createHash('sha1').update(key).update('\0').update(endpoint.id).digest().readUInt32BE(0)
    if (score > bestScore) {
      best = endpoint
      bestScore = score
    }
  }
  return best
}
