import {candidateJson, describeBackendRefs, describeMatch, listedListeners} from '../gateway/route-list.js'
import type {GatewayTable} from '../gateway/route-table.js'
import {formatPosition} from '../manifests/position.js'
import {objectKey} from '../manifests/model.js'
import {textTable} from './text-table.js'

/** `routes --json`'s `gateways`: each accepted listener with its matches in precedence order. */
export function gatewayRoutesAsJson(table: GatewayTable): Record<string, unknown>[] {
  return listedListeners(table).map((l) => ({gateway: l.gateway, listener: l.listener, port: l.port, protocol: l.protocol, hostname: l.hostname, matches: l.matches.map(candidateJson)}))
}

/** One table of every listener's HTTPRoute matches, tried top to bottom within a listener; '' when no Gateway is loaded. */
export function gatewayRoutesAsText(table: GatewayTable): string {
  const listeners = listedListeners(table)
  if (listeners.length === 0) return ''
  const rows: string[][] = []
  for (const l of listeners) {
    const where = `${l.gateway}/${l.listener} (${l.protocol} :${l.port}${l.hostname === null ? '' : ` ${l.hostname}`})`
    if (l.matches.length === 0) rows.push([where, '-', '(no HTTPRoute attached: 404)', '-', '-', '-'])
    for (const c of l.matches) {
      const rule = c.rule.name === null ? `rule ${c.ruleIndex}` : `rule ${c.ruleIndex} "${c.rule.name}"`
      rows.push([where, c.hostname, describeMatch(c.match), c.rule.filters.map((f) => f.type).join(', ') || '-', describeBackendRefs(c.rule.backendRefs, c.route.meta.namespace), `${objectKey(c.route.meta)} ${rule} (${formatPosition(c.rule.at)})`])
    }
  }
  return [
    textTable(['GATEWAY LISTENER', 'HOSTNAME', 'MATCH', 'FILTERS', 'BACKENDS', 'HTTPROUTE'], rows),
    'HTTPRoute matches are in Gateway API precedence per listener: most specific hostname, Exact path, longest PathPrefix, method, most headers, most query parameters, oldest route, then namespace/name and rule order.',
  ].join('\n')
}
