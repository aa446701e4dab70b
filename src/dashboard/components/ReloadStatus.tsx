import {Text} from 'ink'
import {formatClock} from '../format.js'
import type {ReloadView} from '../store.js'

export interface ReloadStatusProps {
  readonly reload: ReloadView | null
}

/** The last reload: ok with its generation, or the error (the previous table keeps serving). */
export function ReloadStatus({reload}: ReloadStatusProps) {
  if (reload === null) return <Text dimColor>loading…</Text>
  if (reload.ok) {
    return (
      <Text color="green">
        reload ok #{reload.generation} {formatClock(reload.at)}
        {reload.warnings > 0 ? <Text color="yellow"> ({reload.warnings} warning{reload.warnings === 1 ? '' : 's'}: kingress validate)</Text> : null}
      </Text>
    )
  }
  return (
    <Text color="red" bold>
      reload FAILED {formatClock(reload.at)}, serving the previous routes:
    </Text>
  )
}
