import {formatPosition} from '../manifests/position.js'
import type {Explanation} from '../routing/explain.js'
import {backendFields, locationJson, routeJson} from './render-routes.js'

export function explanationAsJson(e: Explanation): Record<string, unknown> {
  const backend = e.result.backend
  const fields = backend ? backendFields(backend) : {service: null, port: null}
  return {
    url: e.url,
    method: e.method,
    host: e.host,
    path: e.path,
    status: e.status,
    location: e.location,
    upstreamTarget: e.upstreamTarget,
    service: fields.service,
    port: fields.port,
    hostMatch: e.hostMatch,
    pathMatch: e.result.pathMatch,
    regexMode: e.result.vhost?.regexMode ? {ingress: e.result.vhost.regexMode.ingress, annotation: e.result.vhost.regexMode.annotation, source: formatPosition(e.result.vhost.regexMode.at)} : null,
    nginxLocation: e.result.location?.directive ?? null,
    route: e.result.route ? routeJson(e.result.route) : null,
    defaultBackend: e.result.defaultRoute ? {...backendFields(e.result.defaultRoute.backend), source: formatPosition(e.result.defaultRoute.at)} : null,
    verdict: e.verdict,
    notes: e.notes,
    considered: e.candidates.map((c) => ({...locationJson(c.location), matches: c.matches, chosen: c.chosen, reason: c.reason})),
  }
}

export function explanationAsText(e: Explanation): string {
  const lines = [`${e.method} ${e.url}`, `  host  ${e.hostMatch}`, `  path  ${e.path}`]
  if (e.candidates.length > 0) {
    lines.push('  nginx locations, in the order nginx tries them:')
    for (const c of e.candidates) {
      const mark = c.chosen ? '→' : c.matches ? '·' : '✗'
      const at = c.location.route ? `  (${formatPosition(c.location.route.at)})` : ''
      lines.push(`    ${mark} ${c.reason}${at}`)
    }
  }
  lines.push(`  ${e.status === 200 ? '✓' : '✗'} ${e.status}: ${e.verdict}`)
  for (const note of e.notes) lines.push(`  note: ${note}`)
  return lines.join('\n')
}
