import type {IngressPolicy} from '../annotations/policy.js'
import type {BackendRef as IngressBackend, Service} from '../manifests/model.js'
import type {Route} from '../routing/table.js'
import type {BackendRef, PathModifier, RouteFilter, RouteRule} from './objects.js'

/** Where a converted object lives and what it can see, to write backendRefs. */
export interface RuleContext {
  readonly namespace: string
  readonly services: readonly Service[]
  /** Filled as rules are written: namespaces whose Services a route refers to from another namespace. */
  readonly crossNamespace: Set<string>
  /** What a rule could not carry over, said in the rule's comment and the report. */
  readonly lost: string[]
}

/** A Service backend as a backendRef; a named port is looked up in the loaded Service. Null: not expressible. */
export function backendRefOf(backend: IngressBackend, namespace: string, ctx: RuleContext, weight?: number): BackendRef | null {
  if (backend.kind !== 'service') {
    ctx.lost.push(`backend ${backend.resourceKind}/${backend.name} is not a Service: no backendRef written`)
    return null
  }
  let port: number | null = 'number' in backend.port ? backend.port.number : null
  if (port === null) {
    const name = (backend.port as {name: string}).name
    const service = ctx.services.find((s) => s.meta.namespace === namespace && s.meta.name === backend.service)
    port = service?.ports.find((p) => p.name === name)?.port ?? null
    if (port === null) {
      ctx.lost.push(`Service ${backend.service} port "${name}" is named and no loaded Service says its number: backendRef ports are numbers; write it by hand`)
      return null
    }
  }
  if (namespace !== ctx.namespace) ctx.crossNamespace.add(namespace)
  return {name: backend.service, ...(namespace !== ctx.namespace ? {namespace} : {}), port, ...(weight !== undefined ? {weight} : {})}
}

/** backendRefs of a route: the main Service, and its canary's by weight. */
export function backendRefsOf(route: Route, ctx: RuleContext): BackendRef[] {
  const canary = route.canary
  if (canary === null || canary.rule.weight === 0) {
    const main = backendRefOf(route.backend, route.origin.namespace, ctx)
    return main ? [main] : []
  }
  const total = canary.rule.weightTotal
  const main = backendRefOf(route.backend, route.origin.namespace, ctx, total - canary.rule.weight)
  const alt = backendRefOf(canary.backend, canary.origin.namespace, ctx, canary.rule.weight)
  return [main, alt].filter((b): b is BackendRef => b !== null)
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308])

/** permanent-redirect / temporal-redirect: `return <code> <url>` as a RequestRedirect. */
export function configuredRedirectFilter(policy: IngressPolicy, ctx: RuleContext): RouteFilter | null {
  const redirect = policy.redirect
  if (redirect === null) return null
  const statusCode = REDIRECT_CODES.has(redirect.code) ? redirect.code : 302
  if (statusCode !== redirect.code) ctx.lost.push(`redirect code ${redirect.code} is not one RequestRedirect allows (301, 302, 303, 307, 308): written as 302`)
  let url: URL
  try {
    url = new URL(redirect.url, 'http://placeholder.invalid')
  } catch {
    ctx.lost.push(`redirect URL "${redirect.url}" cannot be split into scheme, hostname and path`)
    return null
  }
  const relative = url.hostname === 'placeholder.invalid'
  ctx.lost.push('nginx sends the redirect URL as written and drops the query; a RequestRedirect keeps the request\'s query string')
  return {
    type: 'RequestRedirect',
    requestRedirect: {
      ...(relative ? {} : {scheme: url.protocol === 'https:' ? 'https' : 'http', hostname: url.hostname}),
      ...(relative || url.port === '' ? {} : {port: Number(url.port)}),
      path: {type: 'ReplaceFullPath', replaceFullPath: url.pathname},
      statusCode,
    },
  }
}

const CAPTURE_REST = /^(\/.*)\(\/\|\$\)\(\.\*\)$/

/**
 * rewrite-target as a URLRewrite: a target without `$N` replaces the whole path (nginx `rewrite`
 * replaces the whole URI); the documented `/p(/|$)(.*)` → `/$2` is a prefix replacement. Others
 * cannot be expressed. Returns the filter and, for the prefix form, the PathPrefix to match.
 */
export function rewriteFilter(route: Route, policy: IngressPolicy, ctx: RuleContext): {path: PathModifier; prefix: string | null} | null {
  const target = policy.rewriteTarget
  if (target === null || target === '') return null
  const prefixed = CAPTURE_REST.exec(route.path)
  if (prefixed !== null && target === '/$2') return {path: {type: 'ReplacePrefixMatch', replacePrefixMatch: '/'}, prefix: prefixed[1]!}
  if (/\$\d/.test(target)) {
    ctx.lost.push(`rewrite-target ${target} uses capture groups of ${route.path}: URLRewrite cannot express them, so this rule forwards the path unrewritten`)
    return null
  }
  if (target.includes('?')) ctx.lost.push(`rewrite-target ${target} sets a query string: URLRewrite rewrites the path only`)
  return {path: {type: 'ReplaceFullPath', replaceFullPath: target.split('?')[0]!}, prefix: null}
}

/** The filters a route's annotations ask for, besides redirects: rewrite, upstream-vhost, x-forwarded-prefix, CORS. */
export function forwardingFilters(route: Route, rewrite: {path: PathModifier} | null): RouteFilter[] {
  const policy = route.policy
  const filters: RouteFilter[] = []
  if (rewrite !== null || policy.upstreamVhost !== null) {
    filters.push({type: 'URLRewrite', urlRewrite: {...(policy.upstreamVhost !== null ? {hostname: policy.upstreamVhost} : {}), ...(rewrite !== null ? {path: rewrite.path} : {})}})
  }
  if (rewrite !== null && policy.xForwardedPrefix !== null) filters.push({type: 'RequestHeaderModifier', requestHeaderModifier: {set: [{name: 'X-Forwarded-Prefix', value: policy.xForwardedPrefix}]}})
  const cors = policy.cors
  if (cors !== null) {
    filters.push({
      type: 'CORS',
      cors: {
        allowOrigins: [...cors.allowOrigin],
        allowMethods: splitList(cors.allowMethods),
        allowHeaders: splitList(cors.allowHeaders),
        ...(cors.exposeHeaders ? {exposeHeaders: splitList(cors.exposeHeaders)} : {}),
        ...(cors.allowCredentials ? {allowCredentials: true} : {}),
        maxAge: cors.maxAge,
      },
    })
  }
  return filters
}

/** proxy-read-timeout / proxy-send-timeout as the backend request's bound (partly: a total, not between reads). */
export function timeoutsOf(policy: IngressPolicy): RouteRule['timeouts'] | undefined {
  const ms = Math.max(policy.readTimeoutMs ?? 0, policy.sendTimeoutMs ?? 0)
  return ms > 0 ? {backendRequest: `${Math.round(ms / 1000)}s`} : undefined
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}
