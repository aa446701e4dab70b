import {useStdout} from 'ink'
import {useEffect, useState} from 'react'

export interface TerminalSize {
  readonly columns: number
  readonly rows: number
}

/** The terminal's size, following 'resize' events. Falls back to 80×24 when the stream does not say. */
export function useTerminalSize(): TerminalSize {
  const {stdout} = useStdout()
  const read = (): TerminalSize => ({columns: stdout.columns || 80, rows: stdout.rows || 24})
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = (): void => {
      const next = read()
      setSize((old) => (old.columns === next.columns && old.rows === next.rows ? old : next))
    }
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout])
  return size
}
