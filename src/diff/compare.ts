import type {Answer, Probe, Side} from './answer.js'

export interface Difference {
  readonly probe: Probe
  readonly old: Answer
  readonly new: Answer
  /** What differs: status, backend, upstream, location. */
  readonly fields: readonly string[]
  /** Why, as a group heading: "regex mode on host …", "missing 301", "case sensitivity", … */
  readonly cause: string
  /** False for what no manifest can change (how an implementation forwards a path it normalised): reported, but no failure. */
  readonly counted: boolean
}

export interface DiffResult {
  readonly probes: number
  readonly differences: readonly Difference[]
}

const NORMALISATION = 'URL normalisation'

/** Every probe through both sides; the ones whose answers differ, with a cause. */
export function compareSides(old: Side, against: Side, probes: readonly Probe[]): DiffResult {
  const differences: Difference[] = []
  for (const probe of probes) {
    const a = old.answer(probe)
    const b = against.answer(probe)
    const fields = (['status', 'backend', 'upstream', 'location'] as const).filter((f) => a[f] !== b[f])
    if (fields.length === 0) continue
    const cause = causeOf(probe, a, b, fields)
    differences.push({probe, old: a, new: b, fields, cause, counted: !cause.startsWith(NORMALISATION)})
  }
  return {probes: probes.length, differences}
}

function causeOf(probe: Probe, a: Answer, b: Answer, fields: readonly string[]): string {
  const host = new URL(probe.url).host
  // nginx forwards the request target as sent (proxy_pass without URI); Envoy-based Gateways forward the normalised path. No Gateway API field decides it.
  if (fields.length === 1 && fields[0] === 'upstream' && /double slash|dot segment/.test(probe.why)) return `${NORMALISATION} on ${host}: both sides match the normalised path, but only one forwards it normalised (no manifest field decides this; not counted as a difference)`
  if (a.status === 301 && a.reason.startsWith('trailing-slash') && b.status !== 301) return `missing 301 (ingress-nginx's trailing-slash redirect) on ${host}`
  if (b.status === 301 && b.reason.startsWith('trailing-slash') && a.status !== 301) return `a 301 the old side did not give (trailing-slash redirect) on ${host}`
  const regex = a.regexMode ?? b.regexMode
  if (regex !== null) return `regex mode on host ${host} (${regex})`
  if (probe.why.includes('upper case')) return `case sensitivity on ${host}`
  if (probe.why.includes('sibling string prefix')) return `prefix matching (whole path elements or string prefix) on ${host}`
  if (fields.includes('location') && a.status === b.status) return `redirect target on ${host}`
  if (fields.includes('upstream') && fields.length === 1) return `the path the backend receives on ${host}`
  if (fields.includes('status')) return `status ${a.status} → ${b.status} on ${host}`
  return `backend on ${host}`
}

/** The differences grouped by cause, one example each, with where to look on both sides. */
export function diffAsText(result: DiffResult, oldLabel: string, newLabel: string): string {
  const counted = result.differences.filter((d) => d.counted).length
  if (result.differences.length === 0) return `✓ ${result.probes} requests: ${newLabel} answers every one as ${oldLabel} does.`
  const groups = new Map<string, Difference[]>()
  for (const d of result.differences) {
    if (!groups.has(d.cause)) groups.set(d.cause, [])
    groups.get(d.cause)!.push(d)
  }
  const lines = [
    counted === 0
      ? `✓ ${result.probes} requests: ${newLabel} routes every one as ${oldLabel} does; ${result.differences.length} differ only in how a normalised path is forwarded:`
      : `✗ ${counted} of ${result.probes} requests are answered differently by ${newLabel} than by ${oldLabel}:`,
  ]
  for (const [cause, diffs] of groups) {
    const d = diffs[0]!
    lines.push('', `${cause} — ${diffs.length} request${diffs.length === 1 ? '' : 's'}, e.g.`)
    lines.push(`  ${d.probe.method} ${d.probe.url}${Object.keys(d.probe.headers).length > 0 ? ` ${JSON.stringify(d.probe.headers)}` : ''}  (${d.probe.why})`)
    lines.push(`    ${oldLabel}: ${describe(d.old)}`, `      by ${d.old.by}`)
    lines.push(`    ${newLabel}: ${describe(d.new)}`, `      by ${d.new.by}`)
  }
  return lines.join('\n')
}

function describe(a: Answer): string {
  if (a.location !== null) return `${a.status} → ${a.location}`
  if (a.backend !== null) return `${a.status} ${a.backend}${a.upstream !== null ? ` as ${a.upstream}` : ''}`
  return String(a.status)
}
