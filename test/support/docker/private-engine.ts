/**
 * A throw-away dockerd of the test's own (own socket, data root, bridge), so a test can kill and
 * restart "the engine" without touching the shared one. Linux + root only.
 *
 * Pitfall: never start a second dockerd with `--bridge=none`: it deletes the shared `docker0`.
 * This one gets its own bridge interface, created here and deleted in stop().
 */
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync} from 'node:fs'
import {request} from 'node:http'

export interface PrivateEngine {
  readonly socket: string
  readonly dockerHost: string
  readonly dir: string
  /** Starts dockerd (again) and waits until it answers /_ping. */
  start(): Promise<void>
  /** SIGTERM and wait for the process to exit (containers survive: --live-restore). */
  kill(): Promise<void>
  /** Kill, unmount, remove the directory and the bridge. */
  destroy(): Promise<void>
  log(): string
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({socketPath, path: '/_ping', timeout: 1000}, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route'], {encoding: 'utf8'})
  for (let i = 0; i < 50; i++) {
    const octet = 100 + Math.floor(Math.random() * 150)
    const prefix = `172.31.${octet}.`
    if (!routes.includes(prefix)) return `${prefix}1/24`
  }
  throw new Error('no free 172.31.x.0/24 subnet for the private engine bridge')
}

export function createPrivateEngine(dockerd: string, id: string): PrivateEngine {
  const dir = `/tmp/kgr-engine-${id}`
  const socket = `${dir}/docker.sock`
  const bridge = `kgr${id}`.slice(0, 15)
  let child: ChildProcess | null = null
  let bridgeCreated = false

  const ensureBridge = (): void => {
    if (bridgeCreated) return
    execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge'])
    bridgeCreated = true
    execFileSync('ip', ['addr', 'add', freeSubnet(), 'dev', bridge])
    execFileSync('ip', ['link', 'set', bridge, 'up'])
  }

  const engine: PrivateEngine = {
    socket,
    dockerHost: `unix://${socket}`,
    dir,
    async start() {
      mkdirSync(dir, {recursive: true})
      ensureBridge()
      const logFd = openSync(`${dir}/dockerd.log`, 'a')
      child = spawn(
        dockerd,
        [
          `--host=unix://${socket}`,
          `--data-root=${dir}/root`,
          `--exec-root=${dir}/exec`,
          `--pidfile=${dir}/docker.pid`,
          '--storage-driver=vfs',
          '--iptables=false',
          '--ip-masq=false',
          `--bridge=${bridge}`,
          '--live-restore',
        ],
        {stdio: ['ignore', logFd, logFd]},
      )
      closeSync(logFd)
      const started = child
      const deadline = Date.now() + 30_000
      while (Date.now() < deadline) {
        if (started.exitCode !== null) throw new Error(`private dockerd exited with ${started.exitCode}: ${engine.log().slice(-2000)}`)
        if (existsSync(socket) && (await ping(socket))) return
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`private dockerd did not answer within 30 s: ${engine.log().slice(-2000)}`)
    },
    async kill() {
      const running = child
      child = null
      if (running === null || running.exitCode !== null) return
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()))
      running.kill('SIGTERM')
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000))
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        running.kill('SIGKILL')
        await exited
      }
    },
    async destroy() {
      await engine.kill()
      try {
        const mounts = readFileSync('/proc/mounts', 'utf8')
          .split('\n')
          .map((line) => line.split(' ')[1] ?? '')
          .filter((mount) => mount.startsWith(`${dir}/`) || mount === dir)
          .sort()
          .reverse()
        for (const mount of mounts) execFileSync('umount', ['-l', mount])
      } catch {
        // best effort
      }
      rmSync(dir, {recursive: true, force: true})
      if (bridgeCreated) {
        try {
          execFileSync('ip', ['link', 'del', bridge])
        } catch {
          // already gone
        }
        bridgeCreated = false
      }
    },
    log() {
      try {
        return readFileSync(`${dir}/dockerd.log`, 'utf8')
      } catch {
        return ''
      }
    },
  }
  return engine
}
