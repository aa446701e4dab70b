import {UserError} from '../errors.js'

/** Error codes of the filesystem that mean "you may not change this file" rather than a bug. */
export const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EROFS'])

export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined
}

export function isPermissionError(error: unknown): boolean {
  const code = errnoCode(error)
  return code !== undefined && PERMISSION_CODES.has(code)
}

/** The hosts file is damaged in a way kingress will not guess around (e.g. BEGIN without END). */
export class HostsFormatError extends UserError {
  constructor(
    readonly problem: string,
    file = 'the hosts file',
  ) {
    super('HOSTS_BLOCK_DAMAGED', `${file} ${problem}`)
  }

  /** The same error naming the file. */
  withFile(file: string): HostsFormatError {
    return new HostsFormatError(this.problem, file)
  }
}

export interface PermissionContext {
  /** The hosts file being changed. */
  readonly hostsFile: string
  /** What failed, e.g. `creating the lock file /etc/hosts.kingress-lock`. */
  readonly action: string
  /** The command line to run again with more rights, e.g. `kingress hosts sync app.yaml`. */
  readonly rerun?: string
  readonly platform?: NodeJS.Platform
}

/** kingress may not change the hosts file. Nothing was written when this is thrown. */
export class HostsPermissionError extends UserError {
  readonly errno: string
  readonly hostsFile: string

  constructor(errno: string, context: PermissionContext) {
    super('HOSTS_PERMISSION', permissionMessage(errno, context))
    this.errno = errno
    this.hostsFile = context.hostsFile
  }
}

function permissionMessage(errno: string, context: PermissionContext): string {
  const {hostsFile, action, rerun} = context
  const platform = context.platform ?? process.platform
  const reason = errno === 'EROFS' ? 'it is on a read-only file system' : 'permission denied'
  const lines = [`cannot change ${hostsFile}: ${reason} (${errno} ${action}). Nothing was changed.`]
  if (errno === 'EROFS') {
    lines.push('Your system generates this file (e.g. NixOS: networking.hosts; a container: --add-host); add the entries there, or use --hosts-file.')
    return lines.join('\n')
  }
  const command = rerun ?? 'the same kingress command'
  if (platform === 'win32') {
    lines.push(`Open a terminal with "Run as administrator" and run:\n  ${command}`)
  } else if (/^\/mnt\/[a-z]\//i.test(hostsFile)) {
    lines.push(`This is a Windows file: sudo inside WSL does not help. Start your WSL terminal with "Run as administrator" and run:\n  ${command}`)
  } else {
    lines.push(`The hosts file belongs to root. Run:\n  sudo ${command}`)
    if (rerun) lines.push(`(if sudo cannot find kingress, e.g. with nvm: sudo env "PATH=$PATH" ${rerun})`)
    if (errno === 'EPERM') lines.push(`If you are root already, the file may be immutable: check with lsattr (Linux) or ls -lO (macOS).`)
  }
  return lines.join('\n')
}

/** Another kingress process holds the lock longer than we are willing to wait. */
export class HostsLockedError extends UserError {
  constructor(lockPath: string, pid: number | null, waitedMs: number) {
    super(
      'HOSTS_LOCKED',
      `${lockPath} is held by another kingress process${pid ? ` (pid ${pid})` : ''}; waited ${Math.round(waitedMs / 1000)} s. ` +
        `Try again when it is done. If no kingress is running, delete ${lockPath}.`,
    )
  }
}

/** The block belongs to a running `kingress up --hosts` session other than the caller. */
export class HostsOwnedError extends UserError {
  constructor(
    readonly hostsFile: string | null,
    readonly pid: number | null,
  ) {
    super(
      'HOSTS_BLOCK_OWNED',
      `the kingress block in ${hostsFile ?? 'the hosts file'} belongs to a running \`kingress up --hosts\` (pid ${pid ?? '?'}). ` +
        'Stop that session first (it removes its entries on exit), or run again with --force to take the block over.',
    )
  }
}
