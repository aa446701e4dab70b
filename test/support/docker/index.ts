/**
 * Test helpers for the real Docker engine: find it (same rules as kingress), build the tiny
 * `kingress-test-web` image from the host's static busybox (no registry needed), start labelled
 * containers and remove them afterwards.
 *
 * Suites call `const docker = await dockerForTests()` at module level and
 * `describe.skipIf(docker.skip)`: they skip only when no engine answers and CI is not 'true';
 * in CI an unreachable engine fails the suite with the reason.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {request} from 'node:http'
import {Readable} from 'node:stream'

import type Docker from 'dockerode'

import {openDockerClient} from '../../../src/backends/docker/index.js'
import {NO_GATEWAY_OBJECTS, type Service, type Snapshot} from '../../../src/manifests/model.js'

export const TEST_IMAGE = 'kingress-test-web:latest'
export const TEST_LABEL = 'kingress.test'
/** Each test process labels its containers with its own run id, so parallel files clean only theirs. */
export const RUN_LABEL = 'kingress.test.run'

export type DockerForTests =
  | {readonly available: true; readonly skip: false; readonly client: Docker; readonly host: string; readonly reason: null}
  | {readonly available: false; readonly skip: boolean; readonly client: null; readonly host: null; readonly reason: string}

export async function dockerForTests(env: NodeJS.ProcessEnv = process.env): Promise<DockerForTests> {
  const opened = await openDockerClient({env, requestTimeoutMs: 10_000})
  if (opened.ok) return {available: true, skip: false, client: opened.client, host: opened.candidate.url, reason: null}
  // In CI the engine must be there (.ci/docker-setup.sh starts it): do not skip, fail with the reason.
  return {available: false, skip: process.env.CI !== 'true', client: null, host: null, reason: opened.reason}
}

/** Throws (failing the suite) when Docker is unavailable; returns the client otherwise. */
export function requireClient(docker: DockerForTests): Docker {
  if (!docker.available) throw new Error(`Docker engine required (CI=${process.env.CI ?? ''}): ${docker.reason}`)
  return docker.client
}

export function newRunId(): string {
  return randomBytes(3).toString('hex')
}

// ---------------------------------------------------------------------------------------------
// The test image: /bin/busybox (static) + /bin/sh → busybox; at start it writes its hostname
// (the container id prefix) into /www/index.html, then runs busybox httpd on port 80.

const BUSYBOX_PATHS = ['/bin/busybox', '/usr/bin/busybox', '/usr/local/bin/busybox']

/** A dynamically linked busybox would not start in an image with no libc. */
export function isStaticElf(bytes: Buffer): boolean {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) return false
  const is64 = bytes[4] === 2
  const little = bytes[5] === 1
  const u16 = (offset: number): number => (little ? bytes.readUInt16LE(offset) : bytes.readUInt16BE(offset))
  const u32 = (offset: number): number => (little ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset))
  const phoff = is64 ? Number(little ? bytes.readBigUInt64LE(0x20) : bytes.readBigUInt64BE(0x20)) : u32(0x1c)
  const phentsize = u16(is64 ? 0x36 : 0x2a)
  const phnum = u16(is64 ? 0x38 : 0x2c)
  for (let i = 0; i < phnum; i++) {
    const offset = phoff + i * phentsize
    if (offset + 4 > bytes.length) break
    if (u32(offset) === 3) return false // PT_INTERP
  }
  return true
}

function findStaticBusybox(): Buffer {
  for (const path of BUSYBOX_PATHS) {
    if (!existsSync(path)) continue
    const bytes = readFileSync(path)
    if (isStaticElf(bytes)) return bytes
  }
  throw new Error(`no static busybox in ${BUSYBOX_PATHS.join(', ')}: apt-get install -y busybox-static (or run .ci/docker-setup.sh)`)
}

interface TarEntry {
  readonly path: string
  readonly type: 'file' | 'dir' | 'symlink'
  readonly mode: number
  readonly data?: Buffer
  readonly linkTarget?: string
}

/** A minimal ustar writer: enough for three entries, no dependency. */
export function tarball(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = []
  for (const entry of entries) {
    const header = Buffer.alloc(512)
    const data = entry.data ?? Buffer.alloc(0)
    header.write(entry.path, 0, 100, 'utf8')
    header.write(`${entry.mode.toString(8).padStart(7, '0')}\0`, 100, 8, 'ascii')
    header.write('0000000\0', 108, 8, 'ascii')
    header.write('0000000\0', 116, 8, 'ascii')
    header.write(`${(entry.type === 'file' ? data.length : 0).toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii')
    header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136, 12, 'ascii')
    header.write('        ', 148, 8, 'ascii')
    header.write(entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2', 156, 1, 'ascii')
    if (entry.linkTarget !== undefined) header.write(entry.linkTarget, 157, 100, 'utf8')
    header.write('ustar\0', 257, 6, 'ascii')
    header.write('00', 263, 2, 'ascii')
    let sum = 0
    for (const byte of header) sum += byte
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii')
    blocks.push(header)
    if (entry.type === 'file') {
      blocks.push(data)
      const pad = (512 - (data.length % 512)) % 512
      if (pad > 0) blocks.push(Buffer.alloc(pad))
    }
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

export const TEST_IMAGE_CHANGES = [
  'CMD ["/bin/busybox","sh","-c","echo $HOSTNAME > /www/index.html; exec /bin/busybox httpd -f -p 80 -h /www"]',
  'EXPOSE 80',
]

export function testImageTarball(): Buffer {
  return tarball([
    {path: 'bin/', type: 'dir', mode: 0o755},
    {path: 'bin/busybox', type: 'file', mode: 0o755, data: findStaticBusybox()},
    {path: 'bin/sh', type: 'symlink', mode: 0o777, linkTarget: 'busybox'},
    {path: 'www/', type: 'dir', mode: 0o755},
    {path: 'www/index.html', type: 'file', mode: 0o644, data: Buffer.from('kingress test\n')},
    {path: 'tmp/', type: 'dir', mode: 0o1777},
  ])
}

async function drain(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** Builds kingress-test-web:latest with `docker import` semantics unless the engine has it. */
export async function ensureTestImage(client: Docker, image = TEST_IMAGE): Promise<void> {
  try {
    await client.getImage(image).inspect()
    return
  } catch {
    // build it
  }
  const [repo, tag] = image.split(':')
  const output = await drain(
    await client.importImage(Readable.from(testImageTarball()) as unknown as string, {repo, tag: tag ?? 'latest', changes: TEST_IMAGE_CHANGES}),
  )
  if (output.includes('"error"')) throw new Error(`building ${image} failed: ${output}`)
  await client.getImage(image).inspect()
}

// ---------------------------------------------------------------------------------------------

export interface RunOptions {
  readonly name: string
  readonly labels?: Record<string, string>
  /** Container ports to publish on a random host port; `{port, hostIp}` to choose the interface. */
  readonly publish?: readonly (number | {readonly port: number; readonly hostIp: string})[]
  /** Docker healthcheck: a shell command run in the container. */
  readonly health?: {readonly cmd: string; readonly intervalMs: number; readonly retries?: number; readonly startPeriodMs?: number}
  readonly network?: string
  readonly cmd?: readonly string[]
  readonly exposed?: readonly number[]
}

export async function runContainer(client: Docker, runId: string, options: RunOptions): Promise<Docker.Container> {
  const portBindings: Record<string, {HostIp: string; HostPort: string}[]> = {}
  const exposed: Record<string, Record<string, never>> = {}
  for (const item of options.publish ?? []) {
    const port = typeof item === 'number' ? item : item.port
    const hostIp = typeof item === 'number' ? '127.0.0.1' : item.hostIp
    portBindings[`${port}/tcp`] = [{HostIp: hostIp, HostPort: ''}]
    exposed[`${port}/tcp`] = {}
  }
  for (const port of options.exposed ?? []) exposed[`${port}/tcp`] = {}
  const container = await client.createContainer({
    name: options.name,
    Image: TEST_IMAGE,
    Cmd: options.cmd === undefined ? undefined : [...options.cmd],
    Labels: {[TEST_LABEL]: '1', [RUN_LABEL]: runId, ...options.labels},
    ExposedPorts: Object.keys(exposed).length > 0 ? exposed : undefined,
    Healthcheck:
      options.health === undefined
        ? undefined
        : {
            Test: ['CMD-SHELL', options.health.cmd],
            Interval: options.health.intervalMs * 1e6,
            Timeout: 2e9,
            Retries: options.health.retries ?? 1,
            StartPeriod: (options.health.startPeriodMs ?? 0) * 1e6,
          },
    HostConfig: {
      PortBindings: portBindings,
      NetworkMode: options.network,
      // busybox httpd as PID 1 ignores SIGTERM: let `docker stop` kill at once.
      AutoRemove: false,
    },
    StopTimeout: 1,
  })
  await container.start()
  return container
}

/** Removes every container this run created (all runs with `all: true`). */
export async function removeTestContainers(client: Docker, runId: string | 'all'): Promise<void> {
  const filters = runId === 'all' ? {label: [`${TEST_LABEL}=1`]} : {label: [`${RUN_LABEL}=${runId}`]}
  const containers = await client.listContainers({all: true, filters})
  await Promise.all(containers.map((c) => client.getContainer(c.Id).remove({force: true}).catch(() => undefined)))
}

export function httpGet(host: string, port: number, path = '/', timeoutMs = 2000): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = request({host, port, path, method: 'GET', timeout: timeoutMs, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}${path}: timeout`)))
    req.on('error', reject)
    req.end()
  })
}

/** Retries a GET until it answers 200 (a container's httpd needs a few ms after `start`). */
export async function httpGetReady(host: string, port: number, timeoutMs = 5000): Promise<{status: number; body: string}> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const response = await httpGet(host, port)
      if (response.status === 200) return response
      last = new Error(`status ${response.status}`)
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw last instanceof Error ? last : new Error(String(last))
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The dockerd binary for a private engine (restart tests), if this machine can run one. */
export function privateEngineSupport(): {ok: true; dockerd: string} | {ok: false; reason: string} {
  if (process.platform !== 'linux') return {ok: false, reason: 'a private dockerd needs Linux'}
  if (process.getuid?.() !== 0) return {ok: false, reason: 'a private dockerd needs root'}
  try {
    const dockerd = execFileSync('sh', ['-c', 'command -v dockerd'], {encoding: 'utf8'}).trim()
    if (dockerd === '') return {ok: false, reason: 'no dockerd binary'}
    return {ok: true, dockerd}
  } catch {
    return {ok: false, reason: 'no dockerd binary (apt-get install docker.io)'}
  }
}

/** A Service as the loader makes it (namespace default), with one port `http` 80 → `targetPort`. */
export function selectorService(name: string, selector: Record<string, string>, targetPort: number | string = 80): Service {
  return {
    kind: 'Service',
    meta: {name, namespace: 'default', annotations: {}, labels: {}, creationTimestamp: null, at: {file: 'test', line: 1, col: 1}, loadIndex: 0} as Service['meta'],
    selector,
    ports: [{name: 'http', port: 80, targetPort, protocol: 'TCP'}],
  }
}

/** A snapshot holding only these Services: what the provider tests resolve against. */
export function servicesSnapshot(...services: Service[]): Snapshot {
  return {ingresses: [], endpointSets: [], secrets: [], services, ...NO_GATEWAY_OBJECTS}
}
