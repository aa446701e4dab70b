import {execFile} from 'node:child_process'
import {readdir, readFile, readlink} from 'node:fs/promises'
import {basename} from 'node:path'

/**
 * Who listens on a TCP port, best effort: `ss -ltnp` on Linux (falling back to /proc), `lsof` on
 * macOS. Answers e.g. `nginx (pid 1234)`, or null when the OS will not say (another user's process).
 */
export async function findPortOwner(port: number, platform: NodeJS.Platform = process.platform): Promise<string | null> {
  try {
    if (platform === 'linux') return (await fromSs(port)) ?? (await fromProc(port))
    if (platform === 'darwin' || platform === 'freebsd') return await fromLsof(port)
  } catch {
    // Best effort only.
  }
  return null
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, args, {timeout: 1500, encoding: 'utf8'}, (error, stdout) => resolve(error && !stdout ? '' : stdout))
  })
}

async function fromSs(port: number): Promise<string | null> {
  const owner = parseSs(await run('ss', ['-ltnpH', `sport = :${port}`]))
  if (owner === null) return null
  // ss prints the kernel's thread name (comm), which a program may rename: Node 24 names its main
  // thread `MainThread`. The command line says what runs.
  const pid = /\(pid (\d+)\)$/.exec(owner)![1]!
  const command = await commandName(pid)
  return command === null ? owner : `${command} (pid ${pid})`
}

/** The program of a process from /proc/PID/cmdline (`/usr/bin/node app.js` → `node`), null when unreadable. */
export async function commandName(pid: string): Promise<string | null> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  return programOf(cmdline)
}

/**
 * The basename of argv[0] in a NUL-separated command line, or null when empty. A rewritten process
 * title (`nginx: master process /usr/sbin/nginx`) keeps what comes before its colon.
 */
export function programOf(cmdline: string): string | null {
  const argv0 = cmdline.split('\0')[0] ?? ''
  const titled = /^([^\s/:]+): /.exec(argv0)
  if (titled) return titled[1]!
  return argv0 === '' ? null : basename(argv0)
}

/** `LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=12,fd=6),("nginx",pid=13,fd=6))` → `nginx (pid 12)`. */
export function parseSs(output: string): string | null {
  const hit = /users:\(\("([^"]+)",pid=(\d+)/.exec(output)
  return hit ? `${hit[1]} (pid ${hit[2]})` : null
}

async function fromLsof(port: number): Promise<string | null> {
  return parseLsof(await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc']))
}

/** `p1234\ncnginx\n` → `nginx (pid 1234)`. */
export function parseLsof(output: string): string | null {
  const pid = /^p(\d+)$/m.exec(output)?.[1]
  const command = /^c(.+)$/m.exec(output)?.[1]
  return pid && command ? `${command} (pid ${pid})` : null
}

/** /proc/net/tcp{,6}: the listening socket's inode, then the process whose fd points at it. */
async function fromProc(port: number): Promise<string | null> {
  const inodes = new Set<string>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const inode of listeningInodes(text, port)) inodes.add(inode)
  }
  if (inodes.size === 0) return null
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
      if (inode && inodes.has(inode)) {
        const name = (await commandName(pid)) ?? (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim()
        return `${name} (pid ${pid})`
      }
    }
  }
  return null
}

/** Inodes of sockets in state LISTEN (0A) on `port` in a /proc/net/tcp table. */
export function listeningInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const out: string[] = []
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 10) continue
    if (fields[1]?.split(':')[1] === hexPort && fields[3] === '0A') out.push(fields[9]!)
  }
  return out
}
