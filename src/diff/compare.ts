import type {Answer, Probe, Side} from './answer.js'
import {causeOf} from './causes.js'

export interface Difference {
  readonly probe: Probe
  readonly old: Answer
  readonly new: Answer
  /** What differs: status, backend, upstream, location. */
  readonly fields: readonly string[]
  /** Why, as a group heading: "regex mode on host …", "missing 301", "case sensitivity", … */
  readonly cause: string
  /** What to change, naming the manifest line of the --against side that decided. */
  readonly fix: string
  /** False for what no manifest can change (how an implementation forwards a path it normalised): reported, but no failure. */
  readonly counted: boolean
}

export interface DiffResult {
  readonly probes: number
  readonly differences: readonly Difference[]
  /** Requests on a port neither side serves (a laptop port such as 8080 in a URL): compared, but nothing answers them. */
  readonly unserved: readonly Probe[]
}

/** Every probe through both sides; the ones whose answers differ, with a cause and a fix. */
export function compareSides(old: Side, against: Side, probes: readonly Probe[]): DiffResult {
  const differences: Difference[] = []
  const unserved: Probe[] = []
  for (const probe of probes) {
    const a = old.answer(probe)
    const b = against.answer(probe)
    const fields = (['status', 'backend', 'upstream', 'location'] as const).filter((f) => a[f] !== b[f])
    if (fields.length === 0) {
      if (a.status === 0) unserved.push(probe)
      continue
    }
    differences.push({probe, old: a, new: b, fields, ...causeOf(probe, a, b, fields)})
  }
  return {probes: probes.length, differences, unserved}
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
    lines.push(`  fix: ${d.fix}`)
  }
  return lines.join('\n')
}

function describe(a: Answer): string {
  if (a.status === 0) return 'no answer: nothing listens on that port'
  if (a.location !== null) return `${a.status} → ${a.location}`
  if (a.backend !== null) return `${a.status} ${a.backend}${a.upstream !== null ? ` as ${a.upstream}` : ''}`
  return String(a.status)
}
