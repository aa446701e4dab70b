import {Box, Text} from 'ink'
import type {DetailLine} from '../details.js'

export interface RequestDetailsProps {
  readonly lines: readonly DetailLine[]
  readonly width: number
  /** Lines available, title included. */
  readonly height: number
}

/** One request in full: request line, matched rule, upstream timing, headers. Cut to the screen. */
export function RequestDetails({lines, width, height}: RequestDetailsProps) {
  const room = Math.max(1, height - 1)
  const cut = lines.length > room
  const shown = cut ? lines.slice(0, room - 1) : lines
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate-end" bold>
        Request details <Text dimColor>(Esc back)</Text>
      </Text>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end" color={line.color} bold={line.bold} dimColor={line.dim}>
          {line.text}
        </Text>
      ))}
      {cut ? <Text dimColor>… {lines.length - shown.length} more lines (enlarge the terminal)</Text> : null}
    </Box>
  )
}
