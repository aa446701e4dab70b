import {DEFAULT_POLICY, type IngressPolicy} from './policy.js'

/** Fields that change nothing per request: routing already applied them, or kingress has nothing to do for them. */
const PASSIVE = new Set<keyof IngressPolicy>(['useRegex', 'proxyBuffering', 'serviceUpstream', 'fromToWwwRedirect'])

/**
 * Does a request on a route with this policy need any annotation work in the proxy? Computed once
 * per route at compile time, so routes without annotations take the plain forwarding path.
 */
export function policyIsActive(policy: IngressPolicy): boolean {
  for (const key of Object.keys(DEFAULT_POLICY) as (keyof IngressPolicy)[]) {
    if (PASSIVE.has(key)) continue
    if (policy[key] !== DEFAULT_POLICY[key]) return true
  }
  return false
}
