import type {LogEntry} from './store.js'

/**
 * The `/` filter. A status code (`404`) or class (`5xx`, `4`) matches the status; anything else is a
 * case-insensitive substring of host + path, of the request id, or of the side (`ingress`,
 * `gateway ns/name`). Several words must all match.
 */
export type Predicate = (entry: LogEntry) => boolean

export function compileFilter(text: string): Predicate | null {
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w !== '')
  if (words.length === 0) return null
  const tests = words.map(wordTest)
  return (entry) => {
    for (const test of tests) if (!test(entry)) return false
    return true
  }
}

function wordTest(word: string): Predicate {
  const exact = /^([1-5]\d\d)$/.exec(word)
  if (exact) {
    const status = Number(exact[1])
    return (entry) => entry.event.status === status || `${entry.event.host}${entry.event.path}`.toLowerCase().includes(word)
  }
  const klass = /^([1-5])(?:xx)?$/.exec(word)
  if (klass) {
    const hundreds = Number(klass[1])
    return (entry) => Math.floor(entry.event.status / 100) === hundreds
  }
  return (entry) => `${entry.event.host}${entry.event.path}`.toLowerCase().includes(word) || entry.event.requestId.toLowerCase().includes(word) || (entry.event.side ?? 'ingress').toLowerCase().includes(word)
}

export function applyFilter(entries: readonly LogEntry[], text: string): readonly LogEntry[] {
  const predicate = compileFilter(text)
  return predicate ? entries.filter(predicate) : entries
}
