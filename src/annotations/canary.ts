import type {CanaryPolicy} from './policy.js'
import {cookieValue, headerValue, type RequestView} from './request-view.js'

/**
 * ingress-nginx's canary order: by header, then by cookie, then by weight. `always`/`never` force
 * the choice; with canary-by-header-value the header must equal that value.
 */
export function useCanary(rule: CanaryPolicy, req: RequestView, random: () => number = Math.random): boolean {
  if (rule.header) {
    const value = headerValue(req.headers, rule.header.toLowerCase())
    if (value !== undefined) {
      if (rule.headerValue !== null) {
        if (value === rule.headerValue) return true
      } else if (value === 'always') {
        return true
      } else if (value === 'never') {
        return false
      }
    }
  }
  if (rule.cookie) {
    const value = cookieValue(req.headers, rule.cookie)
    if (value === 'always') return true
    if (value === 'never') return false
  }
  return rule.weight > 0 && random() * rule.weightTotal < rule.weight
}
