import {Box, Text} from 'ink'
import {formatMs, formatRate} from '../format.js'
import type {RouteView, TrafficSummary} from '../store.js'
import {RouteItem} from './RouteItem.js'

export interface RouteListProps {
  readonly routes: readonly RouteView[]
  readonly unrouted: TrafficSummary
  readonly now: number
  readonly width: number
  /** Lines available below the title. */
  readonly lines: number
  readonly linesPerRoute: 1 | 2
  readonly routesShown: number
}

/** How long a route stays lit after serving a request. */
export const HIGHLIGHT_MS = 1000

export function RouteList({routes, unrouted, now, width, lines, linesPerRoute, routesShown}: RouteListProps) {
  const hidden = routes.length - routesShown
  const showUnrouted = unrouted.count > 0
  return (
    <Box flexDirection="column" width={width} height={lines + 1} overflow="hidden">
      <Text wrap="truncate-end" bold>
        Routes <Text dimColor>({routes.length}; rate and p50/p99 over the last minute)</Text>
      </Text>
      {routes.length === 0 ? <Text dimColor>no routes: waiting for a valid manifest</Text> : null}
      {routes.slice(0, routesShown).map((route) => (
        <RouteItem key={route.routeId} route={route} width={width} twoLines={linesPerRoute === 2} lit={route.lastServedAt > 0 && now - route.lastServedAt < HIGHLIGHT_MS} />
      ))}
      {hidden > 0 ? <Text dimColor>+{hidden} more routes (enlarge the terminal, or kingress routes)</Text> : null}
      {showUnrouted ? (
        <Text wrap="truncate-end">
          <Text inverse={now - unrouted.lastServedAt < HIGHLIGHT_MS}>(no matching rule)</Text>
          <Text dimColor> → default backend or kingress 404  </Text>
          {formatRate(unrouted.ratePerSec)} p50 {formatMs(unrouted.p50)} p99 {formatMs(unrouted.p99)}
        </Text>
      ) : null}
    </Box>
  )
}
