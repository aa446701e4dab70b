import {Text} from 'ink'
import {KeyHint} from './KeyHint.js'

export interface FooterProps {
  readonly mode: 'list' | 'detail'
  /** The filter being typed, or null when not typing. */
  readonly editing: string | null
  readonly paused: boolean
}

/** The key help, or the filter being typed. */
export function Footer({mode, editing, paused}: FooterProps) {
  if (editing !== null) {
    return (
      <Text wrap="truncate-start">
        <Text color="magenta" bold>
          filter:{' '}
        </Text>
        {editing}
        <Text inverse> </Text>
        <Text dimColor>{'  '}Enter apply · Esc clear · host, path, 404 or 5xx</Text>
      </Text>
    )
  }
  if (mode === 'detail') {
    return (
      <Text wrap="truncate-end" dimColor>
        <KeyHint k="Esc" /> back <KeyHint k="q" /> quit
      </Text>
    )
  }
  return (
    <Text wrap="truncate-end" dimColor>
      <KeyHint k="q" /> quit <KeyHint k="p" /> {paused ? 'resume' : 'pause'} <KeyHint k="/" /> filter <KeyHint k="↑↓" /> select <KeyHint k="Enter" /> details <KeyHint k="c" /> clear <KeyHint k="Esc" /> unselect
    </Text>
  )
}
