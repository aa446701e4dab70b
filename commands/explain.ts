import {Args, Flags} from '@oclif/core'

import type {Semantics} from '../src/routing/compile.js'
import {KingressCommand} from '../src/cli/base-command.js'
import {backendAsJson, describeBackend, resolveEndpointsOnce} from '../src/cli/endpoint-report.js'
import {backendFlag, classFlag, dockerFlag, jsonFlag, semanticsFlag} from '../src/cli/flags.js'
import {compileManifests} from '../src/cli/manifest-session.js'
import {explanationAsJson, explanationAsText} from '../src/cli/render-explanation.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {UserError} from '../src/errors.js'
import {explainGateway, servedStatus} from '../src/gateway/explain.js'
import {frontEndFor, ingressAt} from '../src/model/front-end.js'
import type {GatewayRequest} from '../src/gateway/evaluate.js'
import type {GatewayTable} from '../src/gateway/route-table.js'
import type {Snapshot} from '../src/manifests/model.js'
import {explain} from '../src/routing/explain.js'
import {wellKnownPort} from '../src/routing/normalize.js'
import type {RouteTable} from '../src/routing/table.js'

export default class Explain extends KingressCommand {
  static override description = 'Say what kingress — and ingress-nginx — answers for a URL, without starting a proxy: the nginx location that serves it and why each other lost, the status (200, a redirect with its Location, 400, 403, 404, 503), and notes on what the Ingress API would not lead you to expect.'
  static override examples = [
    '<%= config.bin %> explain http://example.com/blue/index.html fixtures/',
    '<%= config.bin %> explain https://green.example.com/ fixtures/virtual-host-ingress.yaml --json',
  ]
  static override strict = false
  static override args = {
    url: Args.string({description: 'the URL a client would request (the scheme may be left out)', required: true}),
    files: Args.string({description: 'Ingress manifests: YAML or JSON files, or folders of them', required: true}),
  }
  static override flags = {
    semantics: semanticsFlag,
    class: classFlag,
    json: jsonFlag,
    backend: backendFlag,
    docker: dockerFlag,
    method: Flags.string({description: 'the request method', default: 'GET', helpValue: 'M'}),
    header: Flags.string({description: 'a request header, e.g. Origin=https://app.test (repeatable)', multiple: true, helpValue: 'K=V'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Explain)
    const [url, ...files] = argv as string[]
    const result = await compileManifests(files, {className: flags.class, semantics: flags.semantics as Semantics})
    if (!result.ok) {
      process.stderr.write(renderDiagnostics(result.diagnostics.filter((d) => d.severity === 'error')) + '\nFix the errors above (`kingress validate` lists them all).\n')
      this.exit(1)
    }
    const headers = headerFlags(flags.header ?? [])
    const {gateways} = result.model
    if (gateways.listeners.length > 0 && (await this.explainGateway(gateways, result.snapshot, result.compiled.table, url!, flags, headers))) return
    let explanation
    try {
      explanation = explain(result.compiled.table, url!, {method: flags.method, headers})
    } catch {
      throw new UserError('BAD_URL', `"${url}" is not a URL. Write it as a browser would, e.g. http://blue.example.com/path`)
    }
    const endpoints = await resolveEndpointsOnce(result.compiled.table, result.snapshot, {backends: flags.backend ?? [], docker: flags.docker})
    const backend = explanation.status === 200 ? endpoints.table.forMatch(explanation.result) : undefined
    // The proxy's 503: the rule chose a Service with no ready endpoint.
    if (backend && backend.balancer.members.length === 0) explanation = {...explanation, status: 503, verdict: `${explanation.verdict}, but Service ${backend.label} has no ready endpoint: kingress answers 503`}
    if (flags.json) {
      process.stdout.write(JSON.stringify({...explanationAsJson(explanation), backend: backend ? backendAsJson(backend) : null}, null, 2) + '\n')
      return
    }
    this.log(explanationAsText(explanation))
    if (backend) this.log(`  endpoints  ${describeBackend(backend)}`)
    for (const note of endpoints.notes) this.log(`  note: ${note}`)
  }

  /** When an HTTPRoute on a Gateway listener claims the URL's host, the Gateway API's answer (and true). */
  private async explainGateway(gateways: GatewayTable, snapshot: Snapshot, table: RouteTable, url: string, flags: {json: boolean; backend?: string[]; docker: boolean; method: string}, headers: Record<string, string>): Promise<boolean> {
    let request: GatewayRequest
    try {
      request = gatewayRequestOf(url, flags.method, headers)
    } catch {
      throw new UserError('BAD_URL', `"${url}" is not a URL. Write it as a browser would, e.g. http://blue.example.com/path`)
    }
    // The proxy's decision: the Gateway answers for the hosts its routes claim; the Ingresses are served on 80 and 443 only.
    const front = frontEndFor(gateways, ingressAt(table, request.scheme, request.port), snapshot, request)
    if (front.kind === 'none') {
      // As explain does without Gateways: the port is taken for kingress's local one (8080 after a fallback), and the Ingresses answer.
      process.stderr.write(`note: no Gateway listener has port ${request.port}; explained as the Ingresses answer it. explain takes the cluster's URL: a Gateway listener of port 80 is asked with ${withoutPort(url)}, even when kingress serves it on ${request.port}.\n`)
      return false
    }
    if (front.kind !== 'gateway') return false
    const explained = explainGateway(gateways, snapshot, request)
    if (explained === null) return false
    const endpoints = await resolveEndpointsOnce(table, snapshot, {backends: flags.backend ?? [], docker: flags.docker}, gateways)
    const answer = explained.answer
    const resolved = answer.backends.map((b) => (b.port === null ? undefined : endpoints.table.forService(b.namespace, b.name, b.port)))
    const {status, why} = servedStatus(answer, request, resolved.map((r) => r !== undefined && r.balancer.members.length > 0))
    if (flags.json) {
      process.stdout.write(JSON.stringify({url, method: request.method, kind: 'HTTPRoute', status, location: answer.location, listener: answer.listener, route: answer.route, rule: answer.rule, match: answer.match, backends: answer.backends, upstreamTarget: answer.upstreamTarget, upstreamHost: answer.upstreamHost, reason: answer.reason, considered: explained.considered}, null, 2) + '\n')
      return true
    }
    this.log(`${request.method} ${url}`)
    this.log(`  gateway  listener ${answer.listener} (the Gateway API's semantics: ${answer.claimed ? 'an HTTPRoute attached to it is for this host' : 'no Ingress is served here, so the listener answers'})`)
    if (explained.considered.length > 0) {
      this.log('  HTTPRoute matches for this host:')
      for (const c of explained.considered) this.log(`    ${c.chosen ? '→' : c.matches ? '·' : '✗'} HTTPRoute ${c.route} rule ${c.rule} match ${c.match}: ${c.description} (hostname ${c.hostname}): ${c.reason}`)
    }
    const where = answer.location ? `Location ${answer.location}` : answer.status === 200 ? `${answer.backends.map((b) => `${b.namespace}/${b.name}:${b.port ?? '?'}${answer.backends.length > 1 ? ` weight ${b.weight}` : ''}`).join(', ')} as ${answer.upstreamTarget}` : answer.reason
    this.log(`  ${status === 200 || status === 204 ? '✓' : '✗'} ${status}: ${why ?? where}`)
    for (const r of resolved) if (r) this.log(`  endpoints  ${describeBackend(r)}`)
    for (const note of endpoints.notes) this.log(`  note: ${note}`)
    return true
  }
}

/** A URL as the Gateway evaluation takes it: the path and query as written, the cluster's port (80/443) unless one is given. */
function gatewayRequestOf(url: string, method: string, headers: Record<string, string>): GatewayRequest {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`
  const parsed = new URL(withScheme)
  const scheme = parsed.protocol === 'https:' ? 'https' : 'http'
  const after = withScheme.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split('#')[0]!
  const q = after.indexOf('?')
  return {scheme, port: parsed.port === '' ? wellKnownPort(scheme) : Number(parsed.port), host: parsed.host, method: method.toUpperCase(), path: (q === -1 ? after : after.slice(0, q)) || '/', query: q === -1 ? '' : after.slice(q), headers}
}

function headerFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0) throw new UserError('BAD_HEADER', `--header "${value}" is not NAME=VALUE. Write it like --header Origin=https://app.test`)
    out[value.slice(0, eq).trim().toLowerCase()] = value.slice(eq + 1)
  }
  return out
}

/** The URL with its port left out: how explain is asked about a port-80 or 443 listener. */
function withoutPort(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#]*?):\d+/i, '$1')
}

