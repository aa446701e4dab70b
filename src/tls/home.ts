import os from 'node:os'
import path from 'node:path'

/**
 * Where kingress keeps its state (the CA, minted certificates, trust.json): `$KINGRESS_HOME`, else the
 * platform's user data directory. HOME and the XDG/Windows variables are read from `env`, so tests
 * can point everything at a temporary folder.
 */
export function kingressHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env.KINGRESS_HOME
  if (explicit !== undefined && explicit !== '') return path.resolve(explicit)
  const home = userHome(env)
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'kingress')
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA
    return path.join(local !== undefined && local !== '' ? local : path.join(home, 'AppData', 'Local'), 'kingress')
  }
  const xdg = env.XDG_DATA_HOME
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  if (xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)) return path.join(xdg, 'kingress')
  return path.join(home, '.local', 'share', 'kingress')
}

/** The user's home directory, honouring HOME (USERPROFILE on Windows) from `env`. */
export function userHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME ?? (process.platform === 'win32' ? env.USERPROFILE : undefined)
  return home !== undefined && home !== '' ? home : os.homedir()
}

/** `user@hostname`, for certificate names that say whose machine they belong to. */
export function userAtHost(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.USER ?? env.USERNAME ?? ''
  if (user === '') {
    try {
      user = os.userInfo().username
    } catch {
      user = 'user'
    }
  }
  return `${user}@${os.hostname()}`
}

/** Shortens a path under the home directory to `~/...` for messages. */
export function tildify(p: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = userHome(env)
  if (p === home) return '~'
  return p.startsWith(home + path.sep) ? '~' + p.slice(home.length) : p
}
