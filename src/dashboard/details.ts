import {formatBytes, formatClock, formatMs, routeLabel} from './format.js'
import type {LogEntry, RouteView} from './store.js'
import type {HeaderList} from './types.js'

/** The detail view as styled lines (pure, so it can be tested and cut to the screen). */
export interface DetailLine {
  readonly text: string
  readonly color?: string
  readonly bold?: boolean
  readonly dim?: boolean
}

export const NOT_CAPTURED = 'not captured'

export function headerPairs(headers: HeaderList): [string, string][] {
  if (Array.isArray(headers)) return (headers as readonly (readonly [string, string])[]).map(([k, v]) => [k, v])
  const pairs: [string, string][] = []
  for (const [name, value] of Object.entries(headers as Readonly<Record<string, string | readonly string[] | number | undefined>>)) {
    if (value === undefined) continue
    if (typeof value === 'object') for (const v of value) pairs.push([name, v])
    else pairs.push([name, String(value)])
  }
  return pairs
}

export function detailLines(entry: LogEntry, route: RouteView | undefined): DetailLine[] {
  const e = entry.event
  const d = e.detail ?? null
  const lines: DetailLine[] = []
  const clock = `${formatClock(e.time)}.${String(e.time % 1000).padStart(3, '0')}`
  lines.push({text: `${e.method} ${e.scheme}://${e.host}${e.path}`, bold: true})
  lines.push({text: `status ${e.status}  ${formatMs(e.durationMs)}  ${formatBytes(e.bytes)}${e.upgrade ? '  upgrade' : ''}  at ${clock}  id ${e.requestId}`})
  if (e.error) lines.push({text: `kingress answered: ${e.error}`, color: 'red'})
  const routeText =
    e.httpRoute !== undefined ? e.httpRoute : e.routeId === null ? 'no rule matched (default backend or kingress 404)' : route ? `#${e.routeId} ${routeLabel(route.host, route.path)} (${route.pathType})` : `#${e.routeId} (no longer in the table)`
  lines.push({text: `side      ${e.side ?? 'ingress'}`, color: e.side === undefined || e.side === 'ingress' ? undefined : 'cyan'})
  lines.push({text: `route     ${routeText}${e.service ? ` → ${e.service}` : ''}`})
  lines.push({text: `endpoint  ${e.upstream ?? 'none (kingress answered)'}`})
  lines.push({text: `matched   ${d?.matched ?? NOT_CAPTURED}`, dim: d?.matched === undefined})
  const connect = d?.upstreamConnectMs
  const firstByte = d?.upstreamFirstByteMs
  const timing =
    (connect === undefined || connect === null) && (firstByte === undefined || firstByte === null)
      ? NOT_CAPTURED
      : `connect ${formatMs(connect)}, first byte ${formatMs(firstByte)}, total ${formatMs(e.durationMs)}`
  lines.push({text: `upstream  ${timing}`, dim: timing === NOT_CAPTURED})
  pushHeaders(lines, 'Request headers', d?.requestHeaders)
  pushHeaders(lines, 'Response headers', d?.responseHeaders)
  return lines
}

function pushHeaders(lines: DetailLine[], title: string, headers: HeaderList | undefined): void {
  if (headers === undefined) {
    lines.push({text: `${title}: ${NOT_CAPTURED}`, bold: true})
    return
  }
  const pairs = headerPairs(headers)
  lines.push({text: `${title} (${pairs.length}):`, bold: true})
  for (const [name, value] of pairs) lines.push({text: `  ${name}: ${value}`})
}
