import {Text} from 'ink'
import {cell, formatBytes, formatClock, formatMs, hostPath, rcell, sideLabel, statusColor} from '../format.js'
import type {LogColumns} from '../layout.js'
import type {LogEntry} from '../store.js'

export interface LogRowProps {
  readonly entry: LogEntry
  readonly columns: LogColumns
  readonly selected: boolean
}

/** One request: time, method, host+path, status (coloured by class), duration, bytes, side, endpoint, id. */
export function LogRow({entry, columns, selected}: LogRowProps) {
  const e = entry.event
  const endpoint = e.upstream ?? (e.error ? `kingress: ${e.error}` : 'kingress')
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {selected ? '›' : ' '}
      <Text dimColor={!selected}>{cell(formatClock(e.time), columns.time)}</Text> {cell(e.method, columns.method)} {cell(hostPath(e.host, e.path), columns.target)}{' '}
      <Text color={statusColor(e.status)} bold>
        {rcell(String(e.status), columns.status)}
      </Text>{' '}
      {rcell(formatMs(e.durationMs), columns.duration)} {rcell(formatBytes(e.bytes), columns.bytes)}
      {columns.side > 0 ? <Text color={e.side === undefined || e.side === 'ingress' ? undefined : 'cyan'}> {cell(sideLabel(e.side, columns.side), columns.side)}</Text> : null}
      {columns.endpoint > 0 ? ` ${cell(endpoint, columns.endpoint)}` : ''}
      {columns.id > 0 ? <Text dimColor={!selected}> {cell(e.requestId, columns.id)}</Text> : null}
    </Text>
  )
}
