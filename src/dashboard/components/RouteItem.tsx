import {Box, Text} from 'ink'
import {cell, formatMs, formatRate, rcell, routeLabel, shortPathType} from '../format.js'
import {routeColumns} from '../layout.js'
import type {RouteView} from '../store.js'
import {EndpointBadge} from './EndpointBadge.js'

/** Endpoint marks shown on a one-line route. */
const MAX_MARKS = 6

/** Width of the one-line endpoint marks: a space, one mark per endpoint, `+` past MAX_MARKS. */
function endpointMarks(n: number): string {
  if (n === 0) return ' ✕'
  return ` ${'●'.repeat(Math.min(n, MAX_MARKS))}${n > MAX_MARKS ? '+' : ''}`
}

export interface RouteItemProps {
  readonly route: RouteView
  readonly width: number
  /** Endpoints on a second line (else after the route on the same line). */
  readonly twoLines: boolean
  /** Served within the last second: shown inverse. */
  readonly lit: boolean
}

/** host/path (pathType) → Service:port, rate and latency; then each endpoint with its state and share. */
export function RouteItem({route, width, twoLines, lit}: RouteItemProps) {
  const stats = route.count === 0 ? '' : `${formatRate(route.ratePerSec)} p50 ${formatMs(route.p50)} p99 ${formatMs(route.p99)}`
  const marks = twoLines ? '' : endpointMarks(route.endpoints.length)
  const cols = routeColumns(width, `${routeLabel(route.host, route.path)} ${shortPathType(route.pathType)}`.length, route.service.length, stats !== '', marks.length)
  const label = cell(`${routeLabel(route.host, route.path)} ${shortPathType(route.pathType)}`, cols.label)
  const service = cell(route.service, cols.service)
  const endpoints =
    route.endpoints.length === 0 ? (
      <Text color="red">{twoLines ? (route.problem ?? 'no endpoints') : ' ✕'}</Text>
    ) : (
      route.endpoints.slice(0, twoLines ? undefined : MAX_MARKS).map((endpoint, i) => <EndpointBadge key={`${endpoint.address}#${i}`} endpoint={endpoint} compact={!twoLines} />)
    )
  const head = (
    <Text wrap="truncate-end">
      <Text inverse={lit} bold={lit}>
        {label}
      </Text>
      <Text dimColor> → </Text>
      <Text color="cyan">{service}</Text>
      {twoLines || route.endpoints.length === 0 ? '' : ' '}
      {twoLines ? null : endpoints}
      {twoLines || route.endpoints.length <= MAX_MARKS ? '' : '+'}
      {stats === '' ? '' : ` ${rcell(stats, cols.stats)}`}
    </Text>
  )
  if (!twoLines) return head
  return (
    <Box flexDirection="column" width={width}>
      {head}
      <Text wrap="truncate-end">
        {'    '}
        {endpoints}
      </Text>
    </Box>
  )
}
