import {UserError} from '../errors.js'

/** The oldest Node kingress serves on: package.json's `engines` floor. */
export const MIN_NODE = {major: 22, minor: 12} as const

/**
 * When a Node release line stops getting security fixes, from the Node.js release schedule
 * (https://github.com/nodejs/release#release-schedule): an even major ships in April of year
 * 2013 + major/2 and is supported until April 30 three years later (20 → 2026-04-30, 22 → 2027-04-30,
 * 24 → 2028-04-30); an odd major ships in October and is supported until June 1 of the next year
 * (23 → 2025-06-01, 25 → 2026-06-01) and never becomes LTS.
 */
export function endOfLife(major: number): Date {
  if (major % 2 === 0) return new Date(Date.UTC(2013 + major / 2 + 3, 3, 30))
  return new Date(Date.UTC(2014 + (major - 1) / 2, 5, 1))
}

/**
 * Why `up`/`demo` must not serve on this Node (one line: why, and how to upgrade), or null when the
 * line is supported. A proxy that faces browsers and scanners needs a runtime that still gets
 * security fixes (Node 20's HTTP/2 stack has known unpatched issues since its end of life).
 */
export function unsupportedNode(version: string, now: Date = new Date()): string | null {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number)
  const upgrade = 'install Node 24 LTS (https://nodejs.org/en/download, or `nvm install 24`) and run kingress again'
  const eol = endOfLife(major)
  if (eol.getTime() <= now.getTime()) {
    return `Node.js ${version} reached end of life on ${eol.toISOString().slice(0, 10)} and no longer gets security fixes, so kingress will not serve on it: ${upgrade}.`
  }
  if (major < MIN_NODE.major || (major === MIN_NODE.major && minor < MIN_NODE.minor)) {
    return `Node.js ${version} is older than kingress needs (${MIN_NODE.major}.${MIN_NODE.minor} or newer): ${upgrade}.`
  }
  return null
}

/** Throws the exit-1 UserError of `unsupportedNode` when this process runs on an unsupported Node. */
export function requireSupportedNode(version: string = process.version, now?: Date): void {
  const reason = unsupportedNode(version, now)
  if (reason !== null) throw new UserError('NODE_UNSUPPORTED', reason)
}
