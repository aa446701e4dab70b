import type {DockerProvider} from '../backends/docker/index.js'

/** The dashboard header's Docker line: `connected (unix:///var/run/docker.sock), 3 containers`. */
export function dockerStatusLine(enabled: boolean, provider: DockerProvider | null): string {
  if (!enabled) return 'off (--no-docker)'
  if (provider === null) return 'no engine reachable (static backends only)'
  const s = provider.status()
  const where = s.host ?? 'no engine found'
  switch (s.state) {
    case 'connected':
      return `connected (${where}), ${s.containers} container${s.containers === 1 ? '' : 's'}`
    case 'connecting':
      return `connecting to ${where}`
    case 'reconnecting':
      return `reconnecting to ${where}${s.error ? `: ${s.error}` : ''}`
    default:
      return `${s.state}${s.error ? `: ${s.error}` : ''}`
  }
}
