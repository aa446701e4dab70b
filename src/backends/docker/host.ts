import {createHash} from 'node:crypto'
import {posix as posixPath} from 'node:path'

/**
 * Where the Docker engine is: DOCKER_HOST, else the current `docker context`, else the sockets the
 * usual engines create. Pure: the caller passes the environment and a file reader, so every rule is
 * unit-tested without a machine that has Docker Desktop, Colima or Podman.
 *
 * dockerode itself only reads DOCKER_HOST and /var/run/docker.sock (or ~/.docker/run/docker.sock);
 * it knows nothing about contexts, so `docker context use colima` would be ignored without this.
 */

export type DockerHostSource = 'DOCKER_HOST' | 'docker context' | 'default socket'

export interface DockerTlsFiles {
  readonly ca: string | null
  readonly cert: string | null
  readonly key: string | null
  /** Docker's SkipTLSVerify (contexts) or DOCKER_TLS_VERIFY unset with certificates present. */
  readonly verify: boolean
}

export type DockerEndpoint =
  | {readonly kind: 'unix'; readonly socketPath: string}
  | {readonly kind: 'npipe'; readonly pipePath: string}
  | {
      readonly kind: 'tcp'
      readonly hostname: string
      readonly port: number
      readonly tls: DockerTlsFiles | null
    }
  | {readonly kind: 'ssh'; readonly hostname: string; readonly port: number; readonly username: string | null}

export interface DockerHostCandidate {
  /** As a user would write it in DOCKER_HOST: `unix:///var/run/docker.sock`, `ssh://me@box`. */
  readonly url: string
  readonly endpoint: DockerEndpoint
  /** How it was chosen, for messages: `DOCKER_HOST`, `docker context "colima"`, `default socket (Docker Desktop)`. */
  readonly source: DockerHostSource
  readonly sourceLabel: string
}

export interface DockerHostResolution {
  /** Try in order; the first engine that answers wins. Never empty unless `error` is set. */
  readonly candidates: readonly DockerHostCandidate[]
  /** A configuration mistake that stops resolution (a context that does not exist, a malformed DOCKER_HOST). */
  readonly error: string | null
}

export interface HostFs {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined
  exists(path: string): boolean
}

export interface HostPlatform {
  readonly home: string
  readonly platform: NodeJS.Platform
}

type Env = Readonly<Record<string, string | undefined>>

export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex')
}

export function dockerConfigDir(env: Env, platform: HostPlatform): string {
  const fromEnv = env.DOCKER_CONFIG
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : posixPath.join(platform.home, '.docker')
}

/** Parses a DOCKER_HOST-style URL; throws a message the user can act on. */
export function parseDockerHostUrl(
  raw: string,
  env: Env,
  platform: HostPlatform,
  tlsFromContext?: DockerTlsFiles | null,
): DockerEndpoint {
  const value = raw.trim()
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length)
    if (socketPath === '') throw new Error(`"${raw}" names no socket path: write unix:///var/run/docker.sock`)
    return {kind: 'unix', socketPath}
  }
  if (value.startsWith('npipe://')) {
    return {kind: 'npipe', pipePath: value.slice('npipe://'.length) || '//./pipe/docker_engine'}
  }
  if (value.startsWith('/')) return {kind: 'unix', socketPath: value}
  const withScheme = value.includes('://') ? value : `tcp://${value}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new Error(`"${raw}" is not a Docker host: write unix:///path/docker.sock, tcp://HOST:2375 or ssh://USER@HOST`)
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (hostname === '') throw new Error(`"${raw}" names no host`)
  if (url.protocol === 'ssh:') {
    return {
      kind: 'ssh',
      hostname,
      port: url.port === '' ? 22 : Number(url.port),
      username: url.username === '' ? null : decodeURIComponent(url.username),
    }
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const port = url.port === '' ? (url.protocol === 'https:' ? 2376 : 2375) : Number(url.port)
    let tls: DockerTlsFiles | null = tlsFromContext ?? null
    const verifyEnv = env.DOCKER_TLS_VERIFY
    const wantsTls = url.protocol === 'https:' || port === 2376 || (verifyEnv !== undefined && verifyEnv !== '' && verifyEnv !== '0')
    if (tls === null && wantsTls) {
      const certDir = env.DOCKER_CERT_PATH !== undefined && env.DOCKER_CERT_PATH !== '' ? env.DOCKER_CERT_PATH : dockerConfigDir(env, platform)
      tls = {
        ca: posixPath.join(certDir, 'ca.pem'),
        cert: posixPath.join(certDir, 'cert.pem'),
        key: posixPath.join(certDir, 'key.pem'),
        verify: verifyEnv !== undefined && verifyEnv !== '' && verifyEnv !== '0',
      }
    }
    return {kind: 'tcp', hostname, port, tls}
  }
  throw new Error(`"${raw}" uses an unsupported scheme ${url.protocol}: write unix://, tcp:// or ssh://`)
}

function candidate(url: string, endpoint: DockerEndpoint, source: DockerHostSource, sourceLabel: string): DockerHostCandidate {
  return {url, endpoint, source, sourceLabel}
}

/** The sockets engines create by default, most common first, with who creates them. */
export function defaultSockets(env: Env, platform: HostPlatform): {path: string; label: string}[] {
  const home = platform.home
  const sockets = [
    {path: '/var/run/docker.sock', label: 'default socket'},
    {path: posixPath.join(home, '.docker', 'run', 'docker.sock'), label: 'default socket (Docker Desktop)'},
    {path: posixPath.join(home, '.colima', 'default', 'docker.sock'), label: 'default socket (Colima)'},
    {path: posixPath.join(home, '.orbstack', 'run', 'docker.sock'), label: 'default socket (OrbStack)'},
  ]
  const runtimeDir = env.XDG_RUNTIME_DIR
  if (runtimeDir !== undefined && runtimeDir !== '') {
    sockets.push(
      {path: posixPath.join(runtimeDir, 'docker.sock'), label: 'default socket (rootless Docker)'},
      {path: posixPath.join(runtimeDir, 'podman', 'podman.sock'), label: 'default socket (Podman)'},
    )
  }
  if (platform.platform === 'linux') {
    sockets.push({path: '/run/podman/podman.sock', label: 'default socket (Podman, root)'})
  }
  return sockets
}

interface ContextMeta {
  Endpoints?: {docker?: {Host?: unknown; SkipTLSVerify?: unknown}}
}

/**
 * The candidates, in the order the docker CLI would pick: DOCKER_HOST beats DOCKER_CONTEXT, which
 * beats `currentContext` in config.json; the `default` context means DOCKER_HOST or the default
 * sockets (all that exist, so a stale /var/run/docker.sock next to a live Colima socket still works).
 */
export function resolveDockerHost(env: Env, fs: HostFs, platform: HostPlatform): DockerHostResolution {
  const dockerHost = env.DOCKER_HOST?.trim()
  if (dockerHost !== undefined && dockerHost !== '') {
    try {
      return {candidates: [candidate(dockerHost, parseDockerHostUrl(dockerHost, env, platform), 'DOCKER_HOST', 'DOCKER_HOST')], error: null}
    } catch (error) {
      return {candidates: [], error: `DOCKER_HOST=${dockerHost}: ${(error as Error).message}`}
    }
  }

  const configDir = dockerConfigDir(env, platform)
  let contextName: string | undefined
  let contextOrigin = ''
  const fromEnv = env.DOCKER_CONTEXT?.trim()
  if (fromEnv !== undefined && fromEnv !== '') {
    contextName = fromEnv
    contextOrigin = 'DOCKER_CONTEXT'
  } else {
    const configPath = posixPath.join(configDir, 'config.json')
    const text = fs.readFile(configPath)
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as {currentContext?: unknown}
        if (typeof parsed.currentContext === 'string' && parsed.currentContext !== '') {
          contextName = parsed.currentContext
          contextOrigin = configPath
        }
      } catch {
        // A broken config.json also breaks the docker CLI; the default sockets are the best guess.
      }
    }
  }

  if (contextName !== undefined && contextName !== 'default') {
    const dir = contextDirName(contextName)
    const metaPath = posixPath.join(configDir, 'contexts', 'meta', dir, 'meta.json')
    const text = fs.readFile(metaPath)
    if (text === undefined) {
      return {
        candidates: [],
        error: `docker context "${contextName}" (from ${contextOrigin}) does not exist: no ${metaPath}. Run \`docker context ls\`, then \`docker context use default\` or set DOCKER_HOST`,
      }
    }
    let host: unknown
    let skipVerify = false
    try {
      const meta = JSON.parse(text) as ContextMeta
      host = meta.Endpoints?.docker?.Host
      skipVerify = meta.Endpoints?.docker?.SkipTLSVerify === true
    } catch (error) {
      return {candidates: [], error: `docker context "${contextName}": ${metaPath} is not valid JSON (${(error as Error).message})`}
    }
    if (typeof host !== 'string' || host === '') {
      return {candidates: [], error: `docker context "${contextName}" has no Docker endpoint (${metaPath} has no Endpoints.docker.Host)`}
    }
    const tlsDir = posixPath.join(configDir, 'contexts', 'tls', dir, 'docker')
    const tlsFile = (name: string): string | null => {
      const path = posixPath.join(tlsDir, name)
      return fs.exists(path) ? path : null
    }
    const ca = tlsFile('ca.pem')
    const cert = tlsFile('cert.pem')
    const key = tlsFile('key.pem')
    const tls = ca !== null || cert !== null || key !== null ? {ca, cert, key, verify: !skipVerify} : null
    try {
      const endpoint = parseDockerHostUrl(host, env, platform, tls)
      return {candidates: [candidate(host, endpoint, 'docker context', `docker context "${contextName}"`)], error: null}
    } catch (error) {
      return {candidates: [], error: `docker context "${contextName}": ${(error as Error).message}`}
    }
  }

  if (platform.platform === 'win32') {
    return {
      candidates: [candidate('npipe:////./pipe/docker_engine', {kind: 'npipe', pipePath: '//./pipe/docker_engine'}, 'default socket', 'default pipe')],
      error: null,
    }
  }
  const sockets = defaultSockets(env, platform)
  const existing = sockets.filter((socket) => fs.exists(socket.path))
  const chosen = existing.length > 0 ? existing : sockets.slice(0, 1)
  return {
    candidates: chosen.map((socket) =>
      candidate(`unix://${socket.path}`, {kind: 'unix', socketPath: socket.path}, 'default socket', socket.label),
    ),
    error: null,
  }
}

/** True when published ports on 0.0.0.0 are on this machine (so dial 127.0.0.1). */
export function isLocalEndpoint(endpoint: DockerEndpoint): boolean {
  if (endpoint.kind === 'unix' || endpoint.kind === 'npipe') return true
  const host = endpoint.hostname.toLowerCase()
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host.startsWith('127.')
}
