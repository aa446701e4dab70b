import type {RequestView} from '../../annotations/request-view.js'
import type {ClientRequest} from '../respond.js'

/** What the annotation code sees of a request. Built only for routes that have annotation work. */
export function requestViewOf(req: ClientRequest, host: string, path: string, url: string, scheme: 'http' | 'https', remoteAddress: string): RequestView {
  const q = url.indexOf('?')
  return {method: req.method ?? 'GET', scheme, host, path, query: q === -1 ? '' : url.slice(q), headers: req.headers, remoteAddress}
}
