import {existsSync, promises as fs} from 'node:fs'
import path from 'node:path'

/** An NSS certificate database (Chrome/Chromium on Linux, Firefox everywhere) found under HOME. */
export interface NssDatabase {
  readonly dir: string
  /** "Chrome/Chromium", "Firefox profile default-release", "Firefox (snap) profile …" */
  readonly label: string
  /** False for ~/.pki/nssdb when it does not exist yet: kingress creates it (Chromium reads it once it exists). */
  readonly exists: boolean
}

/** Where browsers keep NSS databases, for `platform`, under `home`. */
export async function findNssDatabases(home: string, platform: NodeJS.Platform = process.platform): Promise<NssDatabase[]> {
  const found: NssDatabase[] = []
  const add = (dir: string, label: string, mustExist = true): void => {
    const exists = existsSync(path.join(dir, 'cert9.db'))
    if (mustExist && !exists) return
    if (!found.some((d) => d.dir === dir)) found.push({dir, label, exists})
  }
  const firefoxProfiles = async (root: string, label: string): Promise<void> => {
    for (const profile of await subdirs(root)) add(path.join(root, profile), `${label} profile ${profile}`)
  }
  if (platform === 'darwin') {
    await firefoxProfiles(path.join(home, 'Library', 'Application Support', 'Firefox', 'Profiles'), 'Firefox')
    return found
  }
  if (platform !== 'linux') return found
  add(path.join(home, '.pki', 'nssdb'), 'Chrome/Chromium', false)
  add(path.join(home, 'snap', 'chromium', 'current', '.pki', 'nssdb'), 'Chromium (snap)')
  await firefoxProfiles(path.join(home, '.mozilla', 'firefox'), 'Firefox')
  for (const snap of await subdirs(path.join(home, 'snap'))) {
    await firefoxProfiles(path.join(home, 'snap', snap, 'common', '.mozilla', 'firefox'), `Firefox (snap ${snap})`)
  }
  for (const app of await subdirs(path.join(home, '.var', 'app'))) {
    const appDir = path.join(home, '.var', 'app', app)
    await firefoxProfiles(path.join(appDir, '.mozilla', 'firefox'), `Firefox (flatpak ${app})`)
    add(path.join(appDir, '.pki', 'nssdb'), `flatpak ${app}`)
    add(path.join(appDir, 'data', '.pki', 'nssdb'), `flatpak ${app}`)
  }
  return found
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, {withFileTypes: true})
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()
  } catch {
    return []
  }
}

/** `certutil` argument lists (NSS tools: Debian libnss3-tools, Fedora nss-tools, Homebrew nss). */
export const nssCommands = {
  create: (dir: string): string[] => ['-d', `sql:${dir}`, '-N', '--empty-password'],
  add: (dir: string, nickname: string, caFile: string): string[] => ['-A', '-d', `sql:${dir}`, '-t', 'C,,', '-n', nickname, '-i', caFile],
  has: (dir: string, nickname: string): string[] => ['-L', '-d', `sql:${dir}`, '-n', nickname],
  remove: (dir: string, nickname: string): string[] => ['-D', '-d', `sql:${dir}`, '-n', nickname],
}

/** How to get certutil on this system, for the message when it is missing. */
export function certutilInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'brew install nss'
  return 'sudo apt-get install libnss3-tools (Debian/Ubuntu), sudo dnf install nss-tools (Fedora), sudo pacman -S nss (Arch)'
}
