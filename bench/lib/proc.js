// Processes, ports and /proc readings shared by the bench's parts.
import {execFileSync, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer, request} from 'node:http'

const children = new Set()

export function which(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'}).trim() || null
  } catch {
    return null
  }
}

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address()
      server.close(() => resolve(port))
    })
  })
}

export function start(command, args, options = {}) {
  const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe'], ...options})
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

export function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill('SIGTERM')
    setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref()
  })
}

export function stopAll() {
  return Promise.all([...children].map(stop))
}

export function killAll() {
  for (const child of children) child.kill('SIGKILL')
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** True when a GET to 127.0.0.1:port with this Host answers at all; `ok` when it answers 200. */
export function probe(port, host, path = '/') {
  return new Promise((resolve) => {
    const req = request({host: '127.0.0.1', port, path, headers: {host}, agent: false}, (res) => {
      res.resume()
      resolve(res.statusCode === 200 ? 'ok' : 'answered')
    })
    req.on('error', () => resolve(null))
    req.setTimeout(1000, () => req.destroy())
    req.end()
  })
}

/** Polls until a GET answers 200 (at most `ms`). */
export async function waitFor(port, host, ms = 15_000, path = '/') {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if ((await probe(port, host, path)) === 'ok') return
    await sleep(100)
  }
  throw new Error(`nothing answered 200 for ${host} on port ${port} within ${ms / 1000} s`)
}

/** VmRSS of a process in MB, from /proc (Linux); ps elsewhere. */
export function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024
  } catch {
    try {
      return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], {encoding: 'utf8'}).trim()) / 1024
    } catch {
      return NaN
    }
  }
}

/** CPU time (user + system, ms) the process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : '-'
}
