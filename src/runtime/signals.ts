/** Resolves on the first SIGINT or SIGTERM; a second one exits at once (status 130 / 143). */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', first)
      process.off('SIGTERM', first)
      const again = (s: NodeJS.Signals): never => process.exit(s === 'SIGINT' ? 130 : 143)
      process.once('SIGINT', again)
      process.once('SIGTERM', again)
      resolve(signal)
    }
    process.on('SIGINT', first)
    process.on('SIGTERM', first)
  })
}
