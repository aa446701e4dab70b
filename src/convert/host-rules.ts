import {formatPosition} from '../manifests/position.js'
import type {Location, Route, VirtualHost} from '../routing/table.js'
import type {PathMatch, RouteMatch, RouteRule} from './objects.js'
import {backendRefOf, backendRefsOf, configuredRedirectFilter, forwardingFilters, rewriteFilter, timeoutsOf, type RuleContext} from './rule-steps.js'

export interface CommentedRule {
  readonly rule: RouteRule
  readonly comment: string[]
}

/**
 * The rules that keep what ingress-nginx did on one host, location by location: the app-root and
 * trailing-slash 301s made explicit, each Prefix as the PathPrefix its `location /p/` + `= /p`
 * amount to, and on a regex host every location as the case-insensitive prefix regex nginx tried,
 * in nginx's order.
 */
export function faithfulRules(vhost: VirtualHost, ctx: RuleContext): CommentedRule[] {
  const rules = serverRedirectRules(vhost)
  for (const location of vhost.locations) rules.push(...locationRules(vhost, location, ctx))
  return rules
}

/**
 * What nginx answers before a location's own directives run (app-root in the server block, the
 * trailing-slash 301 as the location is found): on plain HTTP too, before ssl-redirect.
 */
export function serverRedirectRules(vhost: VirtualHost): CommentedRule[] {
  const rules: CommentedRule[] = []
  if (vhost.appRoot !== null) {
    rules.push({
      rule: {matches: [{path: {type: 'Exact', value: '/'}}], filters: [{type: 'RequestRedirect', requestRedirect: {path: {type: 'ReplaceFullPath', replaceFullPath: vhost.appRoot}, statusCode: 302}}]},
      comment: [`app-root: nginx answers / with 302 to ${vhost.appRoot} before any location (the query is dropped there; a RequestRedirect keeps it)`],
    })
  }
  if (vhost.regexMode === null) {
    for (const [bare, location] of vhost.slashRedirects) {
      if (vhost.exact.has(bare)) continue
      rules.push({
        rule: {matches: [{path: {type: 'Exact', value: bare}}], filters: [{type: 'RequestRedirect', requestRedirect: {path: {type: 'ReplaceFullPath', replaceFullPath: location.name}, statusCode: 301}}]},
        comment: [`nginx answers ${bare} with 301 to ${location.name} (auto_redirect of ${location.directive}): kept explicit, as the Gateway API redirects nothing by itself`],
      })
    }
  }
  return rules
}

/** The rules of one location: none (a twin, or a root without default backend), its own, and a canary-by-header one. */
function locationRules(vhost: VirtualHost, location: Location, ctx: RuleContext): CommentedRule[] {
  const route = location.route
  // The `= /p` twin is what PathPrefix /p matches already.
  if (vhost.regexMode === null && location.source === 'exact-twin') return []
  if (route === null) {
    const fallback = location.defaultRoute
    if (fallback === null) return []
    const ref = backendRefOf(fallback.backend, fallback.origin.namespace, ctx)
    return [{rule: {matches: [{path: pathOf(vhost, location, null)}], backendRefs: ref ? [ref] : []}, comment: [`${location.directive} ← spec.defaultBackend of Ingress ${fallback.origin.namespace}/${fallback.origin.name} (${formatPosition(fallback.at)})`]}]
  }
  const lostBefore = ctx.lost.length
  const rewrite = location.rewrite !== null ? rewriteFilter(route, route.policy, ctx) : null
  const path: PathMatch = rewrite?.prefix != null ? {type: 'PathPrefix', value: rewrite.prefix} : pathOf(vhost, location, route)
  if (rewrite?.prefix != null && vhost.regexMode !== null) ctx.lost.push(`the ReplacePrefixMatch rewrite needs a PathPrefix match: ${route.path} is matched as the case-sensitive PathPrefix ${rewrite.prefix}, not nginx's case-insensitive regex`)
  const matches: RouteMatch[] = [{path}]
  const redirect = configuredRedirectFilter(route.policy, ctx)
  const rule: RouteRule = redirect
    ? {matches, filters: [redirect]}
    : withOptional({matches, filters: forwardingFilters(route, rewrite), backendRefs: backendRefsOf(route, ctx), timeouts: timeoutsOf(route.policy)})
  const comment = [`${location.directive} ← ${route.pathType} ${route.path} of Ingress ${route.origin.namespace}/${route.origin.name} (${formatPosition(route.at)})`, ...ctx.lost.slice(lostBefore)]
  const header = redirect ? null : canaryHeaderRule(route, matches, ctx)
  // The header rule wins by the Gateway API's precedence (more header matches), wherever it stands.
  return header === null ? [{rule, comment}] : [header, {rule, comment}]
}

/** canary-by-header: a rule of its own, with the header match, that sends every request to the canary. */
function canaryHeaderRule(route: Route, matches: readonly RouteMatch[], ctx: RuleContext): CommentedRule | null {
  const canary = route.canary
  if (canary === null || canary.rule.header === null) return null
  const ref = backendRefOf(canary.backend, canary.origin.namespace, ctx)
  const value = canary.rule.headerValue ?? 'always'
  return {
    rule: {matches: matches.map((m) => ({...m, headers: [{type: 'Exact', name: canary.rule.header!, value}]})), backendRefs: ref ? [ref] : []},
    comment: [`canary-by-header ${canary.rule.header}: ${value} of Ingress ${canary.origin.namespace}/${canary.origin.name}${canary.rule.headerValue === null ? ' ("never" cannot be expressed: it falls to the weights)' : ''}`],
  }
}

/** The path match a location amounts to. */
function pathOf(vhost: VirtualHost, location: Location, route: Route | null): PathMatch {
  if (vhost.regexMode !== null) return {type: 'RegularExpression', value: `(?i)^${location.name}.*`}
  if (location.kind === 'exact') return {type: 'Exact', value: location.name}
  // `location /p/` written for Prefix /p: PathPrefix /p is /p/… and /p, as /p/ plus = /p.
  if (location.source === 'slashed-prefix' && route !== null) return {type: 'PathPrefix', value: route.path}
  return {type: 'PathPrefix', value: location.name}
}

function withOptional(rule: {matches: RouteMatch[]; filters: RouteRule['filters']; backendRefs: RouteRule['backendRefs']; timeouts: RouteRule['timeouts']}): RouteRule {
  return {
    matches: rule.matches,
    ...(rule.filters && rule.filters.length > 0 ? {filters: rule.filters} : {}),
    ...(rule.backendRefs ? {backendRefs: rule.backendRefs} : {}),
    ...(rule.timeouts ? {timeouts: rule.timeouts} : {}),
  }
}
