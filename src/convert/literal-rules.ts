import {formatPosition} from '../manifests/position.js'
import type {Route} from '../routing/table.js'
import type {CommentedRule} from './host-rules.js'
import type {PathMatch} from './objects.js'
import {backendRefsOf, type RuleContext} from './rule-steps.js'

/** What Exact and PathPrefix values may hold (apis/v1/httproute_types.go, HTTPPathMatch validation). */
const PLAIN_PATH = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/

/**
 * `--literal`: the naive one-to-one translation most tools write, for comparison. Each Ingress path
 * becomes one rule: Exact stays Exact, Prefix and ImplementationSpecific become PathPrefix (a
 * RegularExpression, as written, where the path is no plain path); rewrite-target without capture
 * groups becomes ReplaceFullPath. No case-insensitivity, no regex mode across Ingresses, no 301s,
 * no ssl-redirect.
 */
export function literalRules(routes: readonly Route[], ctx: RuleContext): CommentedRule[] {
  return routes.map((route) => {
    const target = route.policy.rewriteTarget
    const rewrite = target !== null && target !== '' && target !== route.path && !/\$\d/.test(target) ? target : null
    const rule = {
      matches: [{path: literalPath(route)}],
      ...(rewrite !== null ? {filters: [{type: 'URLRewrite' as const, urlRewrite: {path: {type: 'ReplaceFullPath' as const, replaceFullPath: rewrite}}}]} : {}),
      backendRefs: backendRefsOf(route, ctx),
    }
    return {rule, comment: [`${route.pathType} ${route.path} of Ingress ${route.origin.namespace}/${route.origin.name} (${formatPosition(route.at)})`]}
  })
}

function literalPath(route: Route): PathMatch {
  if (!PLAIN_PATH.test(route.path) || route.policy.useRegex) return {type: 'RegularExpression', value: route.path}
  return {type: route.effectiveType === 'Exact' ? 'Exact' : 'PathPrefix', value: route.path}
}
