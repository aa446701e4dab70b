import {readFile, realpath, stat} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {win32} from 'node:path'

import type Hostile from 'hostile'

import {UserError} from '../errors.js'
import {errnoCode, HostsPermissionError, isPermissionError} from './errors.js'

/** The Windows hosts file as WSL sees it: the one Windows browsers use. */
export const WSL_WINDOWS_HOSTS_FILE = '/mnt/c/Windows/System32/drivers/etc/hosts'

/** The platform's hosts file: `/etc/hosts`, or `%SystemRoot%\System32\drivers\etc\hosts` on Windows. */
export function defaultHostsFile(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') {
    // hostile hard-codes C:\Windows; %SystemRoot% knows better when Windows lives elsewhere.
    const root = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows'
    return win32.join(root, 'System32', 'drivers', 'etc', 'hosts')
  }
  // hostile knows the one answer for every other platform. It is required only here: with its
  // stream helpers it is memory (0.4 MB of a whole `up`) that `up` without --hosts never needs.
  return platform === process.platform ? (createRequire(import.meta.url)('hostile') as typeof Hostile).HOSTS : '/etc/hosts'
}

/** Linux under WSL: /proc/version names Microsoft's kernel. */
export async function isWsl(procVersionPath = '/proc/version', platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform !== 'linux') return false
  try {
    return /microsoft/i.test(await readFile(procVersionPath, 'utf8'))
  } catch {
    return false
  }
}

export interface HostsFileContent {
  /** The path as given. */
  readonly path: string
  /** Symlinks resolved: the file that is written (replacing a symlink would break it). */
  readonly realPath: string
  /** The bytes as latin1: one char per byte, so writing it back with latin1 is byte-exact. */
  readonly text: string
  readonly mode: number
  readonly uid: number
  readonly gid: number
}

export async function resolveHostsFile(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new UserError('HOSTS_FILE_MISSING', `${path}: no such file. kingress edits an existing hosts file and never creates one; check --hosts-file.`)
    }
    throw error
  }
}

export async function readHostsFile(path: string, realPath?: string): Promise<HostsFileContent> {
  const real = realPath ?? (await resolveHostsFile(path))
  let bytes: Buffer
  let info
  try {
    info = await stat(real)
    if (!info.isFile()) throw new UserError('HOSTS_NOT_A_FILE', `${path} is not a regular file.`)
    bytes = await readFile(real)
  } catch (error) {
    if (isPermissionError(error)) throw new HostsPermissionError(errnoCode(error)!, {hostsFile: path, action: 'reading it'})
    if (errnoCode(error) === 'ENOENT') return readHostsFile(path)
    throw error
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.includes(0)) {
    throw new UserError('HOSTS_ENCODING', `${path} is not a text file kingress can edit safely (UTF-16 or binary). Save it as UTF-8 or ASCII first.`)
  }
  return {path, realPath: real, text: bytes.toString('latin1'), mode: info.mode, uid: info.uid, gid: info.gid}
}

export function encodeHostsText(text: string): Buffer {
  return Buffer.from(text, 'latin1')
}

/** Whether `realPath` is this machine's own hosts file (worth a DNS-cache flush on macOS). */
export async function isSystemHostsFile(realPath: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  try {
    return realPath === (await realpath(defaultHostsFile(platform)))
  } catch {
    return false
  }
}
