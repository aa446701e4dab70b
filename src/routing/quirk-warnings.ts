import type {Diagnostic} from '../manifests/diagnostic.js'
import {objectKey, type Ingress} from '../manifests/model.js'
import {formatPosition} from '../manifests/position.js'
import {rewrites} from './nginx-locations.js'
import type {DefaultRoute, Location, VirtualHost} from './table.js'

/**
 * What ingress-nginx does that a reader of the Ingress API would not expect, said where the
 * manifest can be changed: regex mode spreading over a host, trailing-slash 301s, and default
 * backends that never answer.
 */
export function quirkWarnings(ingresses: readonly Ingress[], vhosts: readonly VirtualHost[], catchAllDefault: DefaultRoute | null): Diagnostic[] {
  return [...vhosts.flatMap(regexModeWarnings), ...vhosts.flatMap(slashRedirectWarnings), ...vhosts.flatMap(duplicateLocations), ...unusedDefaultBackends(ingresses, vhosts, catchAllDefault)]
}

function regexModeWarnings(vhost: VirtualHost): Diagnostic[] {
  const cause = vhost.regexMode
  if (cause === null) return []
  const out: Diagnostic[] = []
  const host = vhost.pattern ?? '(rules without host)'
  for (const location of vhost.locations) {
    const route = location.route
    if (route === null || location.source === 'exact-twin') continue
    const own = `${route.origin.namespace}/${route.origin.name}` === cause.ingress
    const asked = route.policy.useRegex || rewrites(route.policy, route.path)
    if (asked && route.pathType !== 'Exact') continue
    const why = own ? `its Ingress sets ${cause.annotation}` : `Ingress ${cause.ingress} sets ${cause.annotation} (${formatPosition(cause.at)})`
    const what = route.pathType === 'Exact' ? 'a case-insensitive prefix, not an exact match' : 'a case-insensitive prefix and a regular expression'
    out.push({
      severity: 'warning',
      at: route.at,
      field: `${route.field}.path`,
      message: `host ${host} is in regex mode because ${why}: ingress-nginx writes this path as ${location.directive}, ${what} (template.go enforceRegexModifier). Move it to an Ingress for another host, or write it as the regex you mean.`,
    })
  }
  return out
}

function slashRedirectWarnings(vhost: VirtualHost): Diagnostic[] {
  const out: Diagnostic[] = []
  const warned = new Set<number>()
  for (const [bare, location] of vhost.slashRedirects) {
    const route = location.route
    // An exact location of that name answers instead (nginx finds it first).
    if (route === null || warned.has(route.id) || vhost.exact.has(bare)) continue
    warned.add(route.id)
    out.push({
      severity: 'warning',
      at: route.at,
      field: `${route.field}.path`,
      message: `${route.pathType} "${route.path}": ingress-nginx answers ${bare} with a 301 redirect to ${location.name} (nginx's auto_redirect of ${location.directive}), where the Ingress API ${route.pathType === 'Exact' ? 'answers 404' : 'serves it'}. Write the path as "${bare}" to serve both without a redirect.`,
    })
  }
  return out
}

/**
 * Prefix `/p` and Prefix `/p/` both become `location /p/` (location.go normalizePrefixPath), which
 * nginx refuses as a duplicate location: ingress-nginx would not load the configuration (its
 * admission webhook rejects the second Ingress). kingress serves the first and says so.
 */
function duplicateLocations(vhost: VirtualHost): Diagnostic[] {
  if (vhost.regexMode !== null || vhost.specSemantics) return []
  const out: Diagnostic[] = []
  const first = new Map<string, Location>()
  for (const location of vhost.locations) {
    if (location.kind !== 'prefix' || location.route === null) continue
    const kept = first.get(location.name)
    if (kept === undefined) {
      first.set(location.name, location)
      continue
    }
    const route = location.route
    out.push({
      severity: 'warning',
      at: route.at,
      field: `${route.field}.path`,
      message: `${route.pathType} "${route.path}" and ${kept.route!.pathType} "${kept.route!.path}" (${formatPosition(kept.route!.at)}) both become ${location.directive} on host ${vhost.pattern ?? '(rules without host)'}: nginx refuses a duplicate location, so ingress-nginx would not load this. kingress serves "${kept.route!.path}". Keep one of the two paths.`,
    })
  }
  return out
}

/** A spec.defaultBackend answers only for hosts whose server its Ingress created, or as the catch-all of an Ingress without rules. */
function unusedDefaultBackends(ingresses: readonly Ingress[], vhosts: readonly VirtualHost[], catchAllDefault: DefaultRoute | null): Diagnostic[] {
  const used = new Set<string>()
  for (const vhost of vhosts) if (vhost.defaultRoute) used.add(`${vhost.defaultRoute.origin.namespace}/${vhost.defaultRoute.origin.name}`)
  if (catchAllDefault) used.add(`${catchAllDefault.origin.namespace}/${catchAllDefault.origin.name}`)
  const out: Diagnostic[] = []
  for (const ingress of ingresses) {
    if (ingress.defaultBackend === null || ingress.defaultBackendAt === null || used.has(objectKey(ingress.meta))) continue
    const hosts = ingress.rules.map((r) => r.host ?? '(no host)').join(', ')
    out.push({
      severity: 'warning',
      at: ingress.defaultBackendAt,
      field: 'spec.defaultBackend',
      message:
        ingress.rules.length === 0
          ? `spec.defaultBackend of Ingress ${objectKey(ingress.meta)} is never used: an older Ingress without rules already is the catch-all default backend.`
          : `spec.defaultBackend of Ingress ${objectKey(ingress.meta)} never answers: ingress-nginx takes a host's default backend from the first Ingress that names the host (controller.go createServers), and for ${hosts} that is another Ingress, or a path / takes every request. Put the defaultBackend on that Ingress, or add a path / here.`,
    })
  }
  return out
}
