import {Box, Text} from 'ink'
import {fit, formatClock} from '../format.js'
import type {Message, ReloadView} from '../store.js'
import type {DashboardStatus} from '../types.js'
import {ReloadStatus} from './ReloadStatus.js'

export interface HeaderProps {
  readonly width: number
  readonly status: DashboardStatus
  readonly urls: readonly string[]
  readonly lastReload: ReloadView | null
  /** The newest stderr line of another subsystem, or null. */
  readonly message: Message | null
}

/** Manifests and last reload; the reload error; listening URLs; hosts file, CA and Docker; the last stderr message. */
export function Header({width, status, urls, lastReload, message}: HeaderProps) {
  const manifests = status.manifests.length === 0 ? '(none)' : status.manifests.join(', ')
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold color="blue">
          kingress
        </Text>
        {'  '}
        <Text dimColor>manifests </Text>
        {fit(manifests, Math.max(10, width - 46))}
        {'  '}
        <ReloadStatus reload={lastReload} />
      </Text>
      {lastReload !== null && !lastReload.ok ? (
        <Text wrap="truncate-end" color="red">
          {lastReload.firstError ? `${lastReload.firstError} (${lastReload.message})` : lastReload.message}
        </Text>
      ) : null}
      <Text wrap="truncate-end">
        <Text dimColor>listening </Text>
        {urls.length === 0 ? <Text dimColor>(not yet)</Text> : urls.join('  ')}
      </Text>
      <Text wrap="truncate-end">
        <Text dimColor>hosts </Text>
        {status.hosts || '-'}
        <Text dimColor>{'  '}CA </Text>
        {status.ca || '-'}
        <Text dimColor>{'  '}docker </Text>
        {status.docker || '-'}
      </Text>
      {message !== null ? (
        <Text wrap="truncate-end" color="yellow">
          {formatClock(message.at)} {message.text}
        </Text>
      ) : null}
    </Box>
  )
}
