/** Pure text helpers for the dashboard: every cell is cut to its width, so nothing ever wraps. */

/** Cuts `text` to `width` columns, ending with `…` when cut. Control characters become spaces. */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ')
  if (clean.length <= width) return clean
  if (width === 1) return '…'
  return `${clean.slice(0, width - 1)}…`
}

/** `fit`, then padded with spaces to exactly `width`. */
export function cell(text: string, width: number): string {
  return fit(text, width).padEnd(width)
}

/** Right-aligned cell. */
export function rcell(text: string, width: number): string {
  return fit(text, width).padStart(width)
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-'
  if (ms < 1) return `${ms.toFixed(2)}ms`
  if (ms < 10) return `${ms.toFixed(1)}ms`
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`
  return `${(ms / 1000).toFixed(1)}s`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)}K`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)}M`
  return `${(bytes / 1024 ** 3).toFixed(1)}G`
}

export function formatRate(perSec: number): string {
  if (perSec === 0) return '0/s'
  if (perSec < 0.1) return `${(perSec * 60).toFixed(1)}/min`
  if (perSec < 10) return `${perSec.toFixed(1)}/s`
  return `${Math.round(perSec)}/s`
}

export function formatShare(share: number | null): string {
  return share === null ? '' : `${Math.round(share * 100)}%`
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** Local wall-clock `HH:MM:SS`. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs)
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
}

export type StatusColor = 'green' | 'cyan' | 'yellow' | 'red' | 'magenta' | 'white'

/** 2xx green, 3xx cyan, 4xx yellow, 5xx red; 1xx (101 upgrades) magenta. */
export function statusColor(status: number): StatusColor {
  if (status >= 500) return 'red'
  if (status >= 400) return 'yellow'
  if (status >= 300) return 'cyan'
  if (status >= 200) return 'green'
  if (status >= 100) return 'magenta'
  return 'white'
}

/**
 * A request's side in the log's side column: `ingress`, or `gw ns/name` (`gw name` when that is too
 * wide); in a 2-column mark, `gw` for a Gateway and nothing for an Ingress.
 */
export function sideLabel(side: string | undefined, width: number): string {
  const gateway = side !== undefined && side !== 'ingress'
  if (width < 7) return gateway ? 'gw' : ''
  if (!gateway) return 'ingress'
  if (!side.startsWith('gateway ')) return side
  const full = `gw ${side.slice(8)}`
  return full.length <= width ? full : `gw ${side.slice(side.lastIndexOf('/') + 1)}`
}

/** The Host header as the client sent it (empty when absent), then the path. */
export function hostPath(host: string, path: string): string {
  return host + path
}

/** A route's host and path as the route list shows it (`*` for a rule without host). */
export function routeLabel(host: string | null, path: string): string {
  return `${host ?? '*'}${path}`
}

/** `Prefix`, `Exact`, `ImplSpec`. */
export function shortPathType(pathType: string): string {
  return pathType === 'ImplementationSpecific' ? 'ImplSpec' : pathType
}
