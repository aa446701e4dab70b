import {Text} from 'ink'

export interface KeyHintProps {
  readonly k: string
}

/** A key name in the help line. */
export function KeyHint({k}: KeyHintProps) {
  return (
    <Text bold color="white">
      {' '}
      {k}
    </Text>
  )
}
