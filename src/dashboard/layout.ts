/**
 * Pure screen arithmetic: how many lines each section gets at a terminal size, and the widths of the
 * request log's columns. The frame is kept one line shorter than the terminal (a full-height frame
 * makes Ink clear the whole screen on every render).
 */

/** Lines the header takes: one more for a failed reload's message, one more for a message from stderr. */
export function headerLines(lastReloadFailed: boolean, message = false): number {
  return 3 + (lastReloadFailed ? 1 : 0) + (message ? 1 : 0)
}
/** Routes title, traffic title, log column header, footer. */
const FIXED_LINES = 4
export const MIN_WIDTH = 40
export const MIN_HEIGHT = 12

export interface SectionLayout {
  readonly width: number
  readonly height: number
  /** Lines for route rows (not counting the title). */
  readonly routeLines: number
  /** 2 when each route gets a second line for its endpoints, else 1. */
  readonly linesPerRoute: 1 | 2
  /** Routes that fit; the rest are summed up on a `+N more` line (which takes one of routeLines). */
  readonly routesShown: number
  /** Request rows in the log (or lines of the detail view). */
  readonly logLines: number
}

export function sectionLayout(columns: number, rows: number, routeCount: number, extraRouteLines: number, header = headerLines(false)): SectionLayout {
  const width = Math.max(MIN_WIDTH, columns)
  const height = Math.max(MIN_HEIGHT, rows) - 1
  const body = height - header - FIXED_LINES
  const wanted2 = routeCount * 2 + extraRouteLines
  const wanted1 = routeCount + extraRouteLines
  const budget = Math.max(Math.min(2, wanted1), Math.floor(body * 0.45))
  let linesPerRoute: 1 | 2 = 2
  let routeLines: number
  let routesShown: number
  if (wanted2 <= budget) {
    routeLines = Math.max(1, wanted2)
    routesShown = routeCount
  } else if (wanted1 <= budget) {
    linesPerRoute = 1
    routeLines = wanted1
    routesShown = routeCount
  } else {
    linesPerRoute = 1
    routeLines = budget
    // One line says how many more.
    routesShown = Math.max(0, budget - extraRouteLines - 1)
  }
  return {width, height, routeLines, linesPerRoute, routesShown, logLines: Math.max(1, body - routeLines)}
}

export interface LogColumns {
  readonly time: number
  readonly method: number
  readonly status: number
  readonly duration: number
  readonly bytes: number
  /** 0 when hidden. */
  readonly endpoint: number
  /** 0 when hidden. */
  readonly id: number
  /** Which side answered (`ingress`, `gw ns/name`); 0 when hidden. */
  readonly side: number
  readonly target: number
}

/** Columns of one log row at `width` (the row starts with a 1-column selection marker). */
export function logColumns(width: number): LogColumns {
  const time = 8
  const method = 6
  const status = 3
  const duration = 7
  const bytes = 6
  const fixed = 1 + time + 1 + method + 1 + status + 1 + duration + 1 + bytes + 1
  let rest = width - fixed
  const id = width >= 120 ? 8 : 0
  if (id) rest -= id + 1
  let endpoint = width >= 72 ? Math.min(24, Math.max(15, Math.floor(rest * 0.3))) : 0
  if (endpoint) rest -= endpoint + 1
  // Which side answered: the Gateway's name when there is room, else a 2-column `gw` mark, taken
  // from the endpoint column where it can spare it (host+path matters more).
  let side = 2
  if (width >= 120) {
    side = 18
    rest -= side + 1
  } else if (endpoint >= 17) endpoint -= side + 1
  else rest -= side + 1
  return {time, method, status, duration, bytes, endpoint, id, side, target: Math.max(8, rest)}
}

export interface RouteColumns {
  readonly label: number
  readonly service: number
  /** Rate and p50/p99, right-aligned. */
  readonly stats: number
}

/** Route line: `label → service stats`; the label and service share what the stats leave, each as much as it needs when it can. */
/** `reserved`: columns taken by something else on the line (the one-line endpoint marks). */
export function routeColumns(width: number, labelLength: number, serviceLength: number, withStats = true, reserved = 0): RouteColumns {
  const stats = withStats ? 27 : 0
  const room = Math.max(8, width - stats - 3 - 1 - reserved)
  let label = Math.min(labelLength, Math.max(Math.floor(room * 0.6), room - serviceLength))
  label = Math.max(Math.min(labelLength, 6), label)
  const service = Math.max(0, room - label)
  return {label, service, stats}
}
