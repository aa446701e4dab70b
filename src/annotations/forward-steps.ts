import {compiledOnce, wireValue, type HeaderEdit, type RouteStep} from '../model/steps.js'
import type {MatchResult} from '../routing/table.js'
import {corsHeaders} from './cors.js'
import type {IngressPolicy} from './policy.js'
import {rewrittenTarget} from './rewrite.js'

/** What the forwarding steps read besides the request: the location that matched, and what external auth let through. */
export interface ForwardEnv {
  readonly match: MatchResult
  /** auth-response-headers copied from the auth service's answer; null without external auth. */
  readonly authHeaders: Readonly<Record<string, string>> | null
}

type ForwardStep = RouteStep<ForwardEnv>

const A = 'nginx.ingress.kubernetes.io/'

/**
 * An Ingress's annotations that shape what is forwarded, once the request is let through (after
 * annotationSteps and external auth), as route steps: the location's `rewrite` (rewrite-target),
 * `proxy_set_header Host` (upstream-vhost), X-Forwarded-Prefix, the auth service's headers, `te:
 * trailers` for gRPC, and the CORS headers every response of the location gets (more_set_headers:
 * they replace the backend's). Compiled once per policy.
 */
export const forwardSteps = compiledOnce(compile)

function compile(policy: IngressPolicy): ForwardStep[] {
  const steps: ForwardStep[] = []
  if (policy.rewriteTarget !== null) {
    steps.push({
      source: `${A}rewrite-target`,
      run: (state, req, env) => {
        state.target = rewrittenTarget(env.match, policy, req.query)
        return null
      },
    })
  }
  const vhost = policy.upstreamVhost
  if (vhost !== null) steps.push(setRequestHeader(`${A}upstream-vhost`, 'host', vhost))
  const prefix = policy.xForwardedPrefix
  if (prefix !== null) steps.push(setRequestHeader(`${A}x-forwarded-prefix`, 'x-forwarded-prefix', prefix))
  if (policy.externalAuth !== null) {
    steps.push({
      source: `${A}auth-response-headers`,
      run: (state, _req, env) => {
        const headers = env.authHeaders
        if (headers !== null) state.requestHeaders.push({set: Object.entries(headers), add: [], remove: []})
        return null
      },
    })
  }
  if (policy.backendProtocol === 'GRPC' || policy.backendProtocol === 'GRPCS') steps.push(setRequestHeader(`${A}backend-protocol`, 'te', 'trailers'))
  const cors = policy.cors
  if (cors !== null) {
    steps.push({
      source: `${A}enable-cors`,
      run: (state, req) => {
        const headers = corsHeaders(cors, req)
        let set: [string, string][] | null = null
        for (const name in headers) (set ??= []).push([name, headers[name]!])
        if (set !== null) state.responseHeaders.push({set, add: [], remove: []})
        return null
      },
    })
  }
  return steps
}

function setRequestHeader(source: string, name: string, value: string): ForwardStep {
  const edit: HeaderEdit = {set: [[name, wireValue(value)]], add: [], remove: []}
  return {source, run: (state) => (state.requestHeaders.push(edit), null)}
}
