import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {findExecutable} from './exec.js'

/** A Linux distribution's system trust store: an anchors folder and the tool that rebuilds the bundles. */
export interface LinuxStore {
  readonly kind: 'linux'
  /** debian, fedora, arch, suse, or custom (KINGRESS_SYSTEM_ANCHOR_DIR / tests). */
  readonly name: string
  readonly anchorDir: string
  /** The file name extension the tool wants (`.crt` for update-ca-certificates). */
  readonly extension: string
  /** The rebuild command, program first; the program as found (or as named, when not found). */
  readonly update: readonly string[]
  readonly updateFound: boolean
  /** Bundles the rebuild writes, to tell whether the CA is trusted. */
  readonly bundles: readonly string[]
}

export type SystemStore =
  | LinuxStore
  | {readonly kind: 'macos'}
  | {readonly kind: 'windows'}
  | {readonly kind: 'none'; readonly reason: string}

interface Candidate {
  readonly name: string
  readonly anchorDir: string
  readonly extension: string
  readonly update: readonly string[]
  readonly bundles: readonly string[]
}

const LINUX_STORES: readonly Candidate[] = [
  {name: 'debian', anchorDir: '/usr/local/share/ca-certificates', extension: '.crt', update: ['update-ca-certificates'], bundles: ['/etc/ssl/certs/ca-certificates.crt']},
  {name: 'fedora', anchorDir: '/etc/pki/ca-trust/source/anchors', extension: '.pem', update: ['update-ca-trust', 'extract'], bundles: ['/etc/pki/tls/certs/ca-bundle.crt', '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem']},
  {name: 'arch', anchorDir: '/etc/ca-certificates/trust-source/anchors', extension: '.crt', update: ['update-ca-trust'], bundles: ['/etc/ssl/certs/ca-certificates.crt']},
  {name: 'suse', anchorDir: '/etc/pki/trust/anchors', extension: '.pem', update: ['update-ca-certificates'], bundles: ['/var/lib/ca-certificates/ca-bundle.pem']},
]

export interface SystemStoreOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly platform?: NodeJS.Platform
}

/**
 * The system store kingress would install into. `KINGRESS_SYSTEM_TRUST=skip` turns it off (tests,
 * CI, people who only want browsers); `KINGRESS_SYSTEM_ANCHOR_DIR` + `KINGRESS_SYSTEM_UPDATE_COMMAND`
 * point it at another folder and rebuild command (tests run the real copy/rebuild code against a temp folder).
 */
export function detectSystemStore(options: SystemStoreOptions = {}): SystemStore {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  if (env.KINGRESS_SYSTEM_TRUST === 'skip') return {kind: 'none', reason: 'KINGRESS_SYSTEM_TRUST=skip'}
  const customDir = env.KINGRESS_SYSTEM_ANCHOR_DIR
  if (customDir !== undefined && customDir !== '') {
    const update = (env.KINGRESS_SYSTEM_UPDATE_COMMAND ?? 'update-ca-certificates').split(' ').filter(Boolean)
    const program = update[0] ?? 'update-ca-certificates'
    const found = path.isAbsolute(program) ? (existsSync(program) ? program : null) : findExecutable(program, env, platform)
    return {kind: 'linux', name: 'custom', anchorDir: customDir, extension: '.crt', update: [found ?? program, ...update.slice(1)], updateFound: found !== null, bundles: []}
  }
  if (platform === 'darwin') return {kind: 'macos'}
  if (platform === 'win32') return {kind: 'windows'}
  if (platform !== 'linux') return {kind: 'none', reason: `kingress does not know the system trust store of ${platform}`}
  for (const c of LINUX_STORES) {
    const program = c.update[0] ?? ''
    const found = findExecutable(program, env, platform)
    if (found !== null && existsSync(path.dirname(c.anchorDir))) return {kind: 'linux', ...c, update: [found, ...c.update.slice(1)], updateFound: true}
  }
  for (const c of LINUX_STORES) if (existsSync(c.anchorDir)) return {kind: 'linux', ...c, updateFound: false}
  return {kind: 'none', reason: 'no known system trust store (update-ca-certificates, update-ca-trust) on this Linux'}
}

/** True when a PEM bundle file contains this certificate (its base64 body). */
export function bundleContains(bundle: string, certPem: string): boolean {
  try {
    const body = pemBody(certPem)
    return body !== '' && pemBodies(readFileSync(bundle, 'utf8')).has(body)
  } catch {
    return false
  }
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
}

function pemBodies(text: string): Set<string> {
  return new Set((text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(pemBody))
}

export function samePem(a: string, b: string): boolean {
  return pemBody(a) === pemBody(b)
}

/** WSL: the Linux side is a VM; Windows browsers use the Windows store. */
export function isWsl(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false
  if ((env.WSL_DISTRO_NAME ?? '') !== '' || (env.WSL_INTEROP ?? '') !== '') return true
  try {
    return /microsoft/i.test(readFileSync('/proc/sys/kernel/osrelease', 'utf8'))
  } catch {
    return false
  }
}
