import {formatPosition} from '../manifests/position.js'
import type {Explanation} from '../routing/explain.js'
import {backendFields, routeJson} from './render-routes.js'

export function explanationAsJson(e: Explanation): Record<string, unknown> {
  const backend = e.result.backend
  const fields = backend ? backendFields(backend) : {service: null, port: null}
  return {
    url: e.url,
    host: e.host,
    path: e.path,
    status: e.status,
    service: fields.service,
    port: fields.port,
    hostMatch: e.hostMatch,
    pathMatch: e.result.pathMatch,
    route: e.result.route ? routeJson(e.result.route) : null,
    defaultBackend: e.result.defaultRoute ? {...backendFields(e.result.defaultRoute.backend), source: formatPosition(e.result.defaultRoute.at)} : null,
    verdict: e.verdict,
    considered: e.candidates.map((c) => ({...routeJson(c.route), matches: c.matches, chosen: c.chosen, reason: c.reason})),
  }
}

export function explanationAsText(e: Explanation): string {
  const lines = [`${e.url}`, `  host  ${e.hostMatch}`, `  path  ${e.path}`]
  if (e.candidates.length > 0) {
    lines.push('  rules considered, best first:')
    for (const c of e.candidates) {
      const mark = c.chosen ? '→' : c.matches ? '·' : '✗'
      lines.push(`    ${mark} ${c.route.pathType} ${c.route.path}  (${formatPosition(c.route.at)}): ${c.reason}`)
    }
  }
  lines.push(`  ${e.status === 200 ? '✓' : '✗'} ${e.verdict}`)
  return lines.join('\n')
}
