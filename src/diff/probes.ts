import type {Snapshot} from '../manifests/model.js'
import type {CompileResult} from '../routing/compile.js'
import type {Probe} from './answer.js'

const UNMATCHED_HOST = 'unmatched.invalid'

/**
 * Requests that tell two route tables apart, generated from both: each host (and one no rule
 * names), each path with and without a trailing slash, one element deeper, its sibling string
 * prefix (`/blue` → `/blueberry`), upper case, dot-segment and double-slash forms, samples a
 * regex accepts, the canary headers, and the methods, headers and query parameters HTTPRoutes match.
 */
export function generateProbes(sides: readonly {readonly snapshot: Snapshot; readonly compiled: CompileResult}[]): Probe[] {
  const probes = new Map<string, Probe>()
  const add = (method: string, scheme: string, host: string, path: string, why: string, headers: Readonly<Record<string, string>> = {}) => {
    if (!path.startsWith('/')) return
    const url = `${scheme}://${host}${path}`
    const key = `${method} ${url} ${JSON.stringify(headers)}`
    if (!probes.has(key)) probes.set(key, {method, url, headers, why})
  }
  const variants = (scheme: string, host: string, path: string, label: string, headers: Readonly<Record<string, string>> = {}) => {
    add('GET', scheme, host, path, label, headers)
    const bare = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
    add('GET', scheme, host, bare, `${label} without its trailing slash`, headers)
    if (bare !== '/') {
      add('GET', scheme, host, bare + '/', `${label} with a trailing slash`, headers)
      add('GET', scheme, host, bare + 'berry', `${label}: the sibling string prefix`, headers)
      add('GET', scheme, host, bare.toUpperCase(), `${label} in upper case`, headers)
      add('GET', scheme, host, '/' + bare, `${label} with a double slash`, headers)
      add('GET', scheme, host, `${bare}/../${bare.split('/').pop()}`, `${label} with a dot segment`, headers)
    }
    add('GET', scheme, host, `${bare === '/' ? '' : bare}/x`, `${label} one element deeper`, headers)
  }

  for (const {snapshot, compiled} of sides) {
    for (const vhost of compiled.table.virtualHosts) {
      const host = probeHost(vhost.pattern)
      const schemes = vhost.tls ? ['http', 'https'] : ['http']
      for (const scheme of schemes) {
        variants(scheme, host, '/', `host ${vhost.pattern ?? '(any)'} root`)
        for (const route of vhost.routes) {
          const label = `${route.pathType} ${route.path} of Ingress ${route.origin.namespace}/${route.origin.name}`
          const samples = vhost.regexMode !== null || route.policy.useRegex ? regexSamples(route.path) : [route.path]
          for (const sample of samples) variants(scheme, host, sample, label)
          const canary = route.canary?.rule
          if (canary?.header) add('GET', scheme, host, samples[0] ?? route.path, `${label}: canary header`, {[canary.header]: canary.headerValue ?? 'always'})
        }
      }
    }
    for (const gateway of snapshot.gateways) {
      for (const listener of gateway.listeners) {
        const scheme = listener.protocol === 'HTTPS' ? 'https' : 'http'
        for (const route of snapshot.httpRoutes) {
          const hosts = route.hostnames.length > 0 ? route.hostnames : [listener.hostname ?? 'example.com']
          for (const hostname of hosts) {
            const host = probeHost(hostname)
            for (const rule of route.rules) {
              for (const match of rule.matches) {
                const label = `${match.path.type} ${match.path.value} of HTTPRoute ${route.meta.namespace}/${route.meta.name}`
                const headers = Object.fromEntries(match.headers.filter((h) => h.type === 'Exact').map((h) => [h.name, h.value]))
                const query = match.queryParams.filter((q) => q.type === 'Exact').map((q) => `${encodeURIComponent(q.name)}=${encodeURIComponent(q.value)}`).join('&')
                const samples = match.path.type === 'RegularExpression' ? regexSamples(match.path.value) : [match.path.value]
                for (const sample of samples) {
                  variants(scheme, host, sample, label, headers)
                  if (query !== '') add('GET', scheme, host, `${sample}?${query}`, `${label} with its query`, headers)
                  if (match.method !== null) add(match.method, scheme, host, sample, `${label}, method ${match.method}`, headers)
                }
              }
            }
          }
        }
      }
    }
  }
  add('GET', 'http', UNMATCHED_HOST, '/', 'a host no rule names')
  return [...probes.values()]
}

/** A wildcard host gets a concrete label; the rules without host get a host nobody names. */
function probeHost(pattern: string | null): string {
  if (pattern === null || pattern === '*') return UNMATCHED_HOST
  return pattern.startsWith('*.') ? 'probe' + pattern.slice(1) : pattern
}

/**
 * Paths a regex accepts, best effort, from its common constructs: the first character of a class,
 * one of `+`, none of `*`/`?`, `{n}` repeated, the first alternative. With one that nearly does:
 * the sample with its last character dropped.
 */
export function regexSamples(source: string): string[] {
  let s = source.replace(/^\(\?i\)/, '').replace(/^\^/, '').replace(/\$$/, '')
  s = s.replace(/\(([^()|]*)(\|[^()]*)?\)/g, '$1')
  s = s.replace(/\\d/g, '1').replace(/\\w/g, 'a').replace(/\\(.)/g, '$1')
  s = s.replace(/\[\^?([^\]]*)\]/g, (_all, body: string) => (body.length === 0 ? 'a' : body[0] === '\\' ? body[1] ?? 'a' : body[0]!))
  s = s.replace(/(.)\{(\d+)(,\d*)?\}/g, (_all, ch: string, n: string) => ch.repeat(Number(n)))
  s = s.replace(/\.\*|\.\+|\.\?/g, (m) => (m === '.+' ? 'x' : ''))
  s = s.replace(/(.)[*?]/g, '').replace(/\+/g, '').replace(/\./g, 'x')
  if (!s.startsWith('/')) return []
  const near = s.length > 2 ? s.slice(0, -1) : null
  return near !== null && near !== s ? [s, near] : [s]
}
