import {Text} from 'ink'
import {formatShare} from '../format.js'
import type {EndpointView} from '../store.js'
import type {EndpointState} from '../types.js'

export const STATE_COLOR: Record<EndpointState, string> = {ready: 'green', starting: 'yellow', unhealthy: 'red', ejected: 'red'}
export const STATE_MARK: Record<EndpointState, string> = {ready: '●', starting: '◐', unhealthy: '✕', ejected: '⊘'}

export interface EndpointBadgeProps {
  readonly endpoint: EndpointView
  /** Only the coloured mark (one-line routes). */
  readonly compact?: boolean
}

/** `● name address state (reason) share`, coloured by state. */
export function EndpointBadge({endpoint, compact = false}: EndpointBadgeProps) {
  if (compact) return <Text color={STATE_COLOR[endpoint.state]}>{STATE_MARK[endpoint.state]}</Text>
  const name = endpoint.name === endpoint.address ? endpoint.address : `${endpoint.name} ${endpoint.address}`
  const share = formatShare(endpoint.share)
  const reason = endpoint.state !== 'ready' && endpoint.reason ? ` (${endpoint.reason})` : ''
  return (
    <Text>
      <Text color={STATE_COLOR[endpoint.state]}>{STATE_MARK[endpoint.state]}</Text> {name}{' '}
      <Text color={STATE_COLOR[endpoint.state]}>{endpoint.state}</Text>
      {reason}
      {share === '' ? '' : ` ${share}`}
      {'  '}
    </Text>
  )
}
