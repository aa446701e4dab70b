import type {ContainerFacts} from './containers.js'

/**
 * "Nearest candidates" for a selector that matches nothing: the containers a user most likely
 * meant, and why they do not match. Pure.
 */

export interface Candidate {
  readonly name: string
  /** e.g. `app=webserver-bleu` or `com.docker.compose.service=webserver-blue; no label app`. */
  readonly detail: string
  readonly score: number
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let previous = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
    }
    previous = current
  }
  return previous[b.length] ?? Math.max(a.length, b.length)
}

/** 0..1, case-insensitive; 1 means equal. */
export function similarity(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  const longest = Math.max(x.length, y.length)
  if (longest === 0) return 1
  return 1 - levenshtein(x, y) / longest
}

function similar(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true
  const shortest = Math.min(a.length, b.length)
  if (shortest >= 3 && (a.toLowerCase().includes(b.toLowerCase()) || b.toLowerCase().includes(a.toLowerCase()))) return true
  return similarity(a, b) >= 0.6
}

export function formatSelector(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',')
}

const RUNNING = new Set(['running', 'paused', 'restarting'])

export function nearestCandidates(
  selector: Readonly<Record<string, string>>,
  containers: readonly ContainerFacts[],
  limit = 3,
): Candidate[] {
  const entries = Object.entries(selector)
  const found: Candidate[] = []
  for (const container of containers) {
    let score = 0
    const details: string[] = []
    const labels = Object.entries(container.labels)
    for (const [key, value] of entries) {
      const actual = container.labels[key]
      if (actual === value) {
        score += 3
        continue
      }
      if (actual !== undefined) {
        score += 2 + similarity(actual, value)
        details.push(`${key}=${actual}`)
        continue
      }
      const nearKey = labels.find(([k, v]) => k !== key && similar(k, key) && similar(v, value))
      if (nearKey !== undefined) {
        score += 1.75 + similarity(nearKey[1], value) / 2
        details.push(`${nearKey[0]}=${nearKey[1]}`)
        continue
      }
      const sameValue = labels.find(([, v]) => v === value) ?? labels.find(([, v]) => v.length >= 3 && similar(v, value))
      if (sameValue !== undefined) {
        score += 1 + similarity(sameValue[1], value)
        details.push(`${sameValue[0]}=${sameValue[1]}; no label ${key}`)
        continue
      }
      if (similar(container.name, value)) {
        score += 0.5 + similarity(container.name, value) / 2
        details.push(`named like "${value}"; no label ${key}`)
      }
    }
    if (score === 0) continue
    if (!RUNNING.has(container.state)) {
      details.push(container.state || 'not running')
      score -= 0.25
    }
    // Only partial matches of a multi-key selector but no detail would be confusing; say what is missing.
    if (details.length === 0) details.push('matches')
    found.push({name: container.name, detail: details.join(', '), score})
  }
  found.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
  return found.slice(0, limit)
}

export function labelFixHint(selector: Readonly<Record<string, string>>): string {
  const yaml = Object.entries(selector)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ')
  const flags = Object.entries(selector)
    .map(([key, value]) => `-l ${key}=${value}`)
    .join(' ')
  return `label the container: \`labels: {${yaml}}\` on the service in compose.yaml (not under deploy:), or \`docker run ${flags} ...\``
}

/**
 * The whole message for a selector that matches no running container: what was asked, the nearest
 * candidates, matching containers that are stopped, and the fix.
 */
export function describeSelectorMiss(
  serviceLabel: string,
  selector: Readonly<Record<string, string>>,
  containers: readonly ContainerFacts[],
): string {
  const selectorText = formatSelector(selector)
  const parts = [`Service ${serviceLabel} selects ${selectorText}, but no running container has ${Object.keys(selector).length > 1 ? 'all these labels' : 'this label'}.`]
  const stopped = containers.filter(
    (c) => !RUNNING.has(c.state) && Object.entries(selector).every(([key, value]) => c.labels[key] === value),
  )
  if (stopped.length > 0) {
    parts.push(
      `Matching but not running: ${stopped
        .slice(0, 3)
        .map((c) => `${c.name} (${c.state || 'stopped'})`)
        .join(', ')} — start ${stopped.length > 1 ? 'them' : 'it'}: docker start ${stopped
        .slice(0, 3)
        .map((c) => c.name)
        .join(' ')}.`,
    )
  }
  const stoppedIds = new Set(stopped.map((c) => c.id))
  const nearest = nearestCandidates(
    selector,
    containers.filter((c) => !stoppedIds.has(c.id)),
  )
  if (nearest.length > 0) {
    parts.push(`Nearest: ${nearest.map((c) => `${c.name} (${c.detail})`).join(', ')}.`)
  } else if (stopped.length === 0) {
    const running = containers.filter((c) => RUNNING.has(c.state))
    if (running.length === 0) parts.push('No container is running.')
    else {
      const shown = running.slice(0, 5).map((c) => c.name)
      parts.push(`No container has a label like it; running: ${shown.join(', ')}${running.length > 5 ? `, … (${running.length})` : ''}.`)
    }
  }
  if (stopped.length === 0) parts.push(`Fix: ${labelFixHint(selector)}.`)
  return parts.join(' ')
}
