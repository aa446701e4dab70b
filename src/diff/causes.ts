import type {Answer, Probe} from './answer.js'
import {portOfUrl} from '../routing/normalize.js'

/**
 * Why two answers to one probe differ, as a group heading, and what to change: the manifest line of
 * the `--against` side that decided (the side being migrated to), with the old side's for reference.
 */

export interface Cause {
  /** "regex mode on host …", "missing 301 …": differences with the same cause are grouped. */
  readonly cause: string
  /** One sentence naming the file:line to change and how. */
  readonly fix: string
  /** False for what no manifest can change (how an implementation forwards a path it normalised). */
  readonly counted: boolean
}

export function causeOf(probe: Probe, a: Answer, b: Answer, fields: readonly string[]): Cause {
  const url = new URL(probe.url)
  const host = url.host
  const path = url.pathname
  // nginx forwards the request target as sent (proxy_pass without URI); Envoy-based Gateways forward the normalised path. No Gateway API field decides it.
  if (fields.length === 1 && fields[0] === 'upstream' && /double slash|dot segment/.test(probe.why)) {
    return {cause: `URL normalisation on ${host}: both sides match the normalised path, but only one forwards it normalised (no manifest field decides this; not counted as a difference)`, fix: 'nothing in a manifest decides this; make sure the backend accepts both forms.', counted: false}
  }
  // Status 0: nothing listens on the probe's port on that side (answer.ts); no rule change helps, a listener does.
  if (a.status === 0 || b.status === 0) {
    const port = portOfUrl(url)
    const served = a.status === 0 ? b : a
    const which = a.status === 0 ? 'the old side' : 'the new side'
    return counted(`port ${port} served by one side only`, `${which} has nothing listening on port ${port}, where ${rule(served, a.status === 0 ? 'the new side' : 'the old side')} answers: ${a.status === 0 ? 'if the old side never served it, the new listener is an addition' : `add a listener with port ${port} to the new side's Gateway`}.`)
  }
  if (a.status === 301 && a.reason.startsWith('trailing-slash') && b.status !== 301) {
    return counted(`missing 301 (ingress-nginx's trailing-slash redirect) on ${host}`, `add a rule that matches Exact ${path} with a RequestRedirect (statusCode 301, path ReplaceFullPath ${pathOf(a.location) ?? path + '/'}) next to ${rule(b)}; \`kingress convert\` writes these rules.`)
  }
  if (b.status === 301 && b.reason.startsWith('trailing-slash') && a.status !== 301) {
    return counted(`a 301 the old side did not give (trailing-slash redirect) on ${host}`, `${rule(b)} redirects ${path}; ${rule(a, 'the old side')} does not: add a match for Exact ${path} there, or accept the redirect.`)
  }
  const regex = a.regexMode ?? b.regexMode
  if (regex !== null) {
    const ingress = a.regexMode !== null ? 'old' : 'new'
    return counted(`regex mode on host ${host} (${regex})`, `the ${ingress} side's host is in regex mode (${regex}): every path there is a case-insensitive regex prefix. Write the path of ${rule(ingress === 'old' ? b : a, ingress === 'old' ? 'the new side' : 'the old side')} as a RegularExpression (?i)^… match to keep that, or drop the annotation if the regex mode was an accident.`)
  }
  if (probe.why.includes('upper case')) return counted(`case sensitivity on ${host}`, `${rule(a, 'the old side')} and ${rule(b)} disagree on upper case: a (?i) RegularExpression matches either case, Exact and PathPrefix match only as written.`)
  if (probe.why.includes('sibling string prefix')) return counted(`prefix matching (whole path elements or string prefix) on ${host}`, `${rule(b)} and ${rule(a, 'the old side')} disagree on ${path}: PathPrefix (and Ingress Prefix) match whole path elements, a regex or ImplementationSpecific prefix matches the string; change the path match at ${b.at ?? a.at ?? 'the rule'}.`)
  if (fields.includes('location') && a.status === b.status) return counted(`redirect target on ${host}`, `the redirect of ${rule(b)} gives ${b.location ?? '(none)'}, the old side ${a.location ?? '(none)'}: change its scheme, hostname, port or path.`)
  if (fields.includes('upstream') && fields.length === 1) return counted(`the path the backend receives on ${host}`, `the backend gets ${b.upstream ?? '(nothing)'} from ${rule(b)} but ${a.upstream ?? '(nothing)'} from ${rule(a, 'the old side')}: change the rewrite (URLRewrite, or rewrite-target) at ${b.at ?? a.at ?? 'the rule'}.`)
  if (fields.includes('status')) {
    const fix = b.at === null ? `no rule of the new side answers ${path} on ${host} (${b.reason}): add a match for it, as ${rule(a, 'the old side')} has.` : `${rule(b)} answers ${b.status} (${b.reason}) where ${rule(a, 'the old side')} answers ${a.status}: change it there.`
    return counted(`status ${a.status} → ${b.status} on ${host}`, fix)
  }
  return counted(`backend on ${host}`, `${rule(b)} sends to ${b.backend ?? '(none)'}, ${rule(a, 'the old side')} to ${a.backend ?? '(none)'}: change the backendRefs (or the Ingress backend) at ${b.at ?? a.at ?? 'the rule'}.`)
}

function counted(cause: string, fix: string): Cause {
  return {cause, fix, counted: true}
}

/** `HTTPRoute shop/web rule 0 (new.yaml:12:5)`; when no rule decided, the object holding the host's rules, or what answered. */
function rule(answer: Answer, fallback = 'the new side'): string {
  if (answer.at !== null) return answer.by
  return answer.hostOwner === null ? `${fallback} (${answer.by})` : `${fallback}'s ${answer.hostOwner}`
}

function pathOf(location: string | null): string | null {
  if (location === null) return null
  try {
    return new URL(location).pathname
  } catch {
    return null
  }
}
