import {readFile} from 'node:fs/promises'

import {UserError} from '../errors.js'
import {wellKnownPort} from '../routing/normalize.js'
import type {Probe} from './answer.js'

const METHOD = /^[A-Z]+$/

/**
 * `--requests FILE`: the user's own requests. Each line is `[METHOD] URL [Name=value ...]`, or a
 * request line of the access log `kingress up --log-format json` writes (method, scheme, host,
 * path), so what an app really sent can be replayed: in a log, lines that are not JSON are skipped.
 * Blank lines and `#` comments are skipped.
 */
export async function readRequests(file: string): Promise<Probe[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new UserError('REQUESTS_UNREADABLE', `cannot read --requests ${file}: ${(error as Error).message}`)
  }
  const probes: Probe[] = []
  const lines = text.split(/\r?\n/)
  // A captured `up --log-format json` holds other lines too (the ready line): only its JSON lines count.
  const isLog = lines.some((line) => line.trimStart().startsWith('{'))
  lines.forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || (isLog && !line.startsWith('{'))) return
    const probe = line.startsWith('{') ? fromLogLine(line) : fromRequestLine(line)
    if (probe === null) throw new UserError('BAD_REQUEST_LINE', `${file}:${index + 1}: "${line.slice(0, 120)}" is neither "[METHOD] URL [Name=value ...]" nor an access-log line of \`kingress up --log-format json\``)
    if (probe !== 'skip') probes.push(probe)
  })
  return probes
}

function fromRequestLine(line: string): Probe | null {
  const words = line.split(/\s+/)
  const method = METHOD.test(words[0]!) ? words.shift()! : 'GET'
  const url = words.shift()
  if (url === undefined || !/^https?:\/\//i.test(url)) return null
  const headers: Record<string, string> = {}
  for (const word of words) {
    const eq = word.indexOf('=')
    if (eq <= 0) return null
    headers[word.slice(0, eq).toLowerCase()] = word.slice(eq + 1)
  }
  return {method, url, headers, why: '--requests'}
}

function fromLogLine(line: string): Probe | 'skip' | null {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return null
  }
  if (entry.type !== 'request') return 'skip'
  const {method, scheme, host, path, port} = entry
  if (typeof method !== 'string' || typeof host !== 'string' || typeof path !== 'string') return null
  const secure = scheme === 'https'
  const own = wellKnownPort(secure ? 'https' : 'http')
  // The Host's port is the laptop's (8080 after a fallback); the request was routed as `port`, the
  // cluster's. Lines of older kingress versions have no `port`: they were routed as 80/443.
  const routed = typeof port === 'number' ? port : own
  const authority = hostWithout(host) + (routed === own ? '' : `:${routed}`)
  return {method, url: `${secure ? 'https' : 'http'}://${authority}${path.startsWith('/') ? path : '/' + path}`, headers: {}, why: 'access log'}
}

/** `shop.example.com:8080` → `shop.example.com`; `[::1]:8080` → `[::1]`. */
function hostWithout(host: string): string {
  return host.replace(/:\d+$/, '')
}
