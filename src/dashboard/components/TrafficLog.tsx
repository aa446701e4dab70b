import {Box, Text} from 'ink'
import {cell, rcell} from '../format.js'
import type {LogColumns} from '../layout.js'
import type {LogEntry} from '../store.js'
import {LogRow} from './LogRow.js'

export interface TrafficLogProps {
  /** The filtered entries, newest first. */
  readonly entries: readonly LogEntry[]
  readonly width: number
  /** Request rows available. */
  readonly lines: number
  readonly columns: LogColumns
  readonly selectedSeq: number | null
  readonly total: number
  readonly kept: number
  /** Requests that arrived since the log was paused, or null when live. */
  readonly pausedNew: number | null
  readonly filter: string
}

/** The request log, newest first; scrolls so that the selected request stays visible. */
export function TrafficLog({entries, width, lines, columns, selectedSeq, total, kept, pausedNew, filter}: TrafficLogProps) {
  const selectedIndex = selectedSeq === null ? -1 : entries.findIndex((e) => e.seq === selectedSeq)
  const start = selectedIndex >= lines ? selectedIndex - lines + 1 : 0
  const visible = entries.slice(start, start + lines)
  return (
    <Box flexDirection="column" width={width} height={lines + 2} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold>Traffic</Text>
        <Text dimColor>
          {' '}
          (newest first; {total} seen, last {kept} kept)
        </Text>
        {pausedNew !== null ? (
          <Text color="yellow" bold>
            {'  '}PAUSED (+{pausedNew} new, p resumes)
          </Text>
        ) : null}
        {filter !== '' ? (
          <Text color="magenta">
            {'  '}filter "{filter}": {entries.length} match
          </Text>
        ) : null}
      </Text>
      <Text wrap="truncate-end" dimColor>
        {' '}
        {cell('time', columns.time)} {cell('method', columns.method)} {cell('host+path', columns.target)} {rcell('st', columns.status)} {rcell('time', columns.duration)} {rcell('bytes', columns.bytes)}
        {columns.side > 0 ? ` ${cell(columns.side < 7 ? 'gw' : 'side', columns.side)}` : ''}
        {columns.endpoint > 0 ? ` ${cell('endpoint', columns.endpoint)}` : ''}
        {columns.id > 0 ? ` ${cell('id', columns.id)}` : ''}
      </Text>
      {visible.length === 0 ? <Text dimColor>{filter !== '' ? ' no request matches the filter' : ' no requests yet'}</Text> : null}
      {visible.map((entry) => (
        <LogRow key={entry.seq} entry={entry} columns={columns} selected={entry.seq === selectedSeq} />
      ))}
    </Box>
  )
}
