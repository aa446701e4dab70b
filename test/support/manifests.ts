import type {Diagnostic} from '../../src/manifests/diagnostic.js'
import {parseManifestText, type RawObject} from '../../src/manifests/load.js'
import {decodeObjects} from '../../src/manifests/snapshot.js'
import type {Snapshot} from '../../src/manifests/model.js'
import {compile, type CompileOptions, type CompileResult} from '../../src/routing/compile.js'

/** Parse + decode YAML text in memory, as loadSnapshot does for files. */
export function snapshotOf(yamlText: string, file = 'test.yaml'): {snapshot: Snapshot; diagnostics: Diagnostic[]} {
  const objects: RawObject[] = []
  const diagnostics: Diagnostic[] = []
  parseManifestText(yamlText, file, objects, diagnostics)
  return {snapshot: decodeObjects(objects, diagnostics), diagnostics}
}

export function compileYaml(yamlText: string, options: CompileOptions = {}): CompileResult & {all: Diagnostic[]} {
  const {snapshot, diagnostics} = snapshotOf(yamlText)
  const result = compile(snapshot, options)
  return {...result, all: [...diagnostics, ...result.diagnostics]}
}

export interface PathSpec {
  path?: string
  pathType?: string
  service?: string
  port?: number | string
}

export interface RuleSpec {
  host?: string
  paths: PathSpec[]
}

/** A small Ingress in YAML. Keeps tests readable and the positions predictable. */
export function ingressYaml(name: string, rules: RuleSpec[], extra: {timestamp?: string; className?: string; annotations?: Record<string, string>; defaultBackend?: string; tls?: string[]} = {}): string {
  const lines = ['apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata:', `  name: ${name}`]
  if (extra.timestamp) lines.push(`  creationTimestamp: "${extra.timestamp}"`)
  if (extra.annotations) {
    lines.push('  annotations:')
    for (const [k, v] of Object.entries(extra.annotations)) lines.push(`    ${k}: ${JSON.stringify(v)}`)
  }
  lines.push('spec:')
  if (extra.className) lines.push(`  ingressClassName: ${extra.className}`)
  if (extra.defaultBackend) lines.push('  defaultBackend:', '    service:', `      name: ${extra.defaultBackend}`, '      port:', '        number: 80')
  if (extra.tls) lines.push('  tls:', '  - hosts:', ...extra.tls.map((h) => `    - ${h}`))
  if (rules.length > 0) lines.push('  rules:')
  for (const rule of rules) {
    lines.push(rule.host === undefined ? '  - http:' : `  - host: ${JSON.stringify(rule.host)}`, ...(rule.host === undefined ? [] : ['    http:']))
    lines.push('      paths:')
    for (const p of rule.paths) {
      lines.push(`      - path: ${JSON.stringify(p.path ?? '/')}`)
      if (p.pathType !== undefined) lines.push(`        pathType: ${p.pathType}`)
      const port = p.port ?? 80
      lines.push('        backend:', '          service:', `            name: ${p.service ?? 'svc'}`, '            port:', typeof port === 'number' ? `              number: ${port}` : `              name: ${port}`)
    }
  }
  return lines.join('\n') + '\n'
}

/**
 * Gateway `default/gw` (class kingress, one listener: by default HTTP `http` on port 80) and
 * HTTPRoute `default/ROUTE` attached to it for `hostname`; `rules` is the YAML list under `rules:`,
 * each item starting `  - `.
 */
export function gatewayRouteYaml(route: string, hostname: string, rules: string, listener = '{name: http, port: 80, protocol: HTTP}'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: kingress
  listeners: [${listener}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${route}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [${hostname}]
  rules:
${rules.replace(/^\n/, '').replace(/\s*$/, '')}
`
}
