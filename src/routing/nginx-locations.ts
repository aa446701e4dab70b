import type {IngressPolicy} from '../annotations/policy.js'
import type {Diagnostic} from '../manifests/diagnostic.js'
import type {DefaultRoute, Location, LocationKind, LocationSource, RegexModeCause, RootRule, Route} from './table.js'

/** A location before ingress-nginx's rewriting of it: a path of some Ingress, or the server's root. */
export interface LocationDraft {
  readonly path: string
  readonly type: 'Exact' | 'Prefix'
  readonly route: Route | null
  /** For the root location without route: who created the server and its spec.defaultBackend. */
  readonly root: RootRule | null
  readonly defaultRoute: DefaultRoute | null
  /** The annotations in force in the location (the route's Ingress, or the server's creator). */
  readonly policy: IngressPolicy
  /** For regex-mode messages: the Ingress and where its annotations are. */
  readonly ingress: {readonly key: string; readonly at: Diagnostic['at']; readonly annotationAt: (key: string) => Diagnostic['at']} | null
}

export interface ServerLocations {
  readonly locations: Location[]
  readonly regexMode: RegexModeCause | null
}

/**
 * The locations ingress-nginx writes for one server, in the order nginx.conf holds them:
 *  1. sort by path length, then path, both descending (controller.go getBackendServers);
 *  2. every Prefix path except `/`, unless its location rewrites or uses regex, is made to end in
 *     `/` and gets an `= path` twin unless an Exact location has that path (location.go
 *     updateServerLocations, normalizePrefixPath);
 *  3. when any resulting location has use-regex or a rewrite-target different from its own path,
 *     every location of the server becomes `~* "^path"` (template.go enforceRegexModifier,
 *     needsRewrite, buildLocation).
 */
export function nginxLocations(drafts: readonly LocationDraft[], diagnostics: Diagnostic[]): ServerLocations {
  // Go compares byte lengths and bytes: the same as UTF-16 for ASCII, not for other paths.
  const bytes = new Map(drafts.map((d) => [d, Buffer.from(d.path, 'utf8')]))
  const sorted = [...drafts].sort((a, b) => bytes.get(b)!.length - bytes.get(a)!.length || Buffer.compare(bytes.get(b)!, bytes.get(a)!))
  const exactPaths = new Set(sorted.filter((d) => d.type === 'Exact').map((d) => d.path))
  const expanded: {draft: LocationDraft; name: string; type: 'Exact' | 'Prefix'; source: LocationSource}[] = []
  for (const draft of sorted) {
    const source: LocationSource = draft.route === null ? 'root' : 'path'
    if (draft.path === '/' || draft.type === 'Exact' || rewrites(draft.policy, draft.path) || draft.policy.useRegex) {
      expanded.push({draft, name: draft.path, type: draft.type, source})
      continue
    }
    const slashed = draft.path.endsWith('/') ? draft.path : draft.path + '/'
    expanded.push({draft, name: slashed, type: 'Prefix', source: slashed === draft.path ? 'path' : 'slashed-prefix'})
    if (!exactPaths.has(draft.path)) expanded.push({draft, name: draft.path, type: 'Exact', source: 'exact-twin'})
  }

  const regexMode = regexModeCause(drafts, expanded)
  const locations = expanded.map(({draft, name, type, source}): Location => {
    const rewrite = rewrites(draft.policy, name) ? rewriteRegex(name) : null
    if (regexMode !== null) {
      return {kind: 'regex', name, directive: `location ~* "^${name}"`, source, route: draft.route, root: draft.root, defaultRoute: draft.defaultRoute, regex: locationRegex(name, draft, diagnostics), rewrite, autoRedirect: false}
    }
    const kind: LocationKind = type === 'Exact' ? 'exact' : 'prefix'
    const directive = kind === 'exact' ? `location = ${name}` : `location ${name}`
    return {kind, name, directive, source, route: draft.route, root: draft.root, defaultRoute: draft.defaultRoute, regex: null, rewrite, autoRedirect: name.length > 1 && name.endsWith('/')}
  })
  return {locations, regexMode}
}

/** needsRewrite: a rewrite-target that is not the location's own path. */
export function rewrites(policy: IngressPolicy, locationPath: string): boolean {
  return policy.rewriteTarget !== null && policy.rewriteTarget !== '' && policy.rewriteTarget !== locationPath
}

/** The first draft (drafts are in ingress-nginx's Ingress order) with a location that uses regex or rewrites. */
function regexModeCause(drafts: readonly LocationDraft[], expanded: readonly {draft: LocationDraft; name: string}[]): RegexModeCause | null {
  const triggering = new Set<LocationDraft>()
  for (const {draft, name} of expanded) if (draft.policy.useRegex || rewrites(draft.policy, name)) triggering.add(draft)
  if (triggering.size === 0) return null
  const draft = drafts.find((d) => triggering.has(d))!
  const annotation = draft.policy.useRegex ? 'use-regex' : 'rewrite-target'
  const ingress = draft.ingress
  return {ingress: ingress?.key ?? '(default backend)', at: ingress?.annotationAt(`nginx.ingress.kubernetes.io/${annotation}`) ?? ingress?.at ?? {file: '', line: 0, col: 0}, annotation}
}

/** `location ~* "^path"`: anchored at the start only, case-insensitive. */
function locationRegex(path: string, draft: LocationDraft, diagnostics: Diagnostic[]): RegExp {
  try {
    return new RegExp('^' + path, 'i')
  } catch (error) {
    if (draft.route !== null) {
      diagnostics.push({
        severity: 'warning',
        at: draft.route.at,
        field: `${draft.route.field}.path`,
        message: `"${path}" is not a valid regular expression (${(error as Error).message}); kingress matches it literally, while ingress-nginx would fail to load the configuration. In regex mode every path of the host is a regex: escape special characters.`,
      })
    }
    return new RegExp('^' + escapeRegex(path), 'i')
  }
}

/** `rewrite "(?i)<path>" <target> break;` (template.go buildProxyPass): unanchored, case-insensitive. */
function rewriteRegex(path: string): RegExp {
  try {
    return new RegExp(path, 'i')
  } catch {
    return new RegExp(escapeRegex(path), 'i')
  }
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
