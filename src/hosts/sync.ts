import {execFile} from 'node:child_process'
import {access, constants, readFile, stat} from 'node:fs/promises'
import {isIP} from 'node:net'
import {dirname} from 'node:path'

import {UserError} from '../errors.js'
import {atomicWriteFile, createOnce, sweepTempFiles, type WriteHooks, type WriteResult} from './atomic-write.js'
import {
  appendNeedsEol,
  parseHostsText,
  renderBlock,
  sameEntries,
  withBlock,
  withoutBlock,
  type BlockMeta,
  type BlockOwner,
  type HostEntry,
  type ParsedBlock,
  type ParsedHostsText,
  type UserMapping,
} from './block.js'
import {unifiedDiff} from './diff.js'
import {flushDnsCache, type DnsFlushResult} from './dns-flush.js'
import {errnoCode, HostsFormatError, HostsOwnedError, HostsPermissionError, isPermissionError} from './errors.js'
import {encodeHostsText, isSystemHostsFile, readHostsFile, resolveHostsFile, type HostsFileContent} from './hosts-file.js'
import {acquireLock, lockPathFor, type LockOptions} from './lock.js'
import {isOwnerAlive} from './process.js'
import {shellQuote} from './shell-quote.js'

export const DEFAULT_IP = '127.0.0.1'
export const BACKUP_SUFFIX = '.kingress-backup'

/** Test seams: widen race windows, crash or fail at chosen moments. Never set in production. */
export interface SyncHooks extends WriteHooks {
  /** Runs after the file was read under the lock, before the new text is computed. */
  readonly afterRead?: () => void | Promise<void>
}

interface CommonOptions {
  /** The hosts file to change (see defaultHostsFile()). */
  readonly hostsFile: string
  /** Compute and diff, write nothing, take no lock. */
  readonly dryRun?: boolean
  /** The command line to suggest with sudo when permission is denied, e.g. `kingress hosts sync app.yaml`. */
  readonly rerun?: string
  readonly lock?: LockOptions
  /** Flush the OS DNS cache after a change. Default: only when the file is the system hosts file. */
  readonly flushDns?: boolean
  readonly platform?: NodeJS.Platform
  readonly hooks?: SyncHooks
}

export interface SyncOptions extends CommonOptions {
  /** Exact host names (wildcards given here are moved to the report's wildcards). */
  readonly hosts: readonly string[]
  /** Wildcard hosts, only reported: a hosts file cannot hold them. */
  readonly wildcards?: readonly string[]
  /** The proxy's address; default 127.0.0.1. */
  readonly ip?: string
  /** Hosts served on another address than `ip` (`kingress up`: a Gateway's own address). */
  readonly addresses?: ReadonlyMap<string, string>
  /** Also map every host to ::1. */
  readonly ipv6?: boolean
  /** `static` for `kingress hosts sync`; `session` for `kingress up --hosts` (cleaned on exit). */
  readonly owner: BlockOwner
  /** The owning process; default process.pid. */
  readonly pid?: number
  /** Take over a block that a running `kingress up --hosts` owns. */
  readonly force?: boolean
}

export interface UserMappedHost {
  readonly host: string
  /** The addresses the user's own lines give it. */
  readonly addresses: readonly string[]
  readonly lines: readonly number[]
  /** One of those addresses is the proxy's. */
  readonly pointsToProxy: boolean
}

export interface InvalidHost {
  readonly host: string
  readonly reason: string
}

export interface ReplacedBlock {
  readonly owner: BlockOwner | null
  readonly pid: number | null
  /**
   * own: this session's block. static: a `hosts sync` block. stale: a session block whose process is
   * gone. forced: a live session's block, taken over with force. unmarked: a block without meta line.
   */
  readonly reason: 'own' | 'static' | 'stale' | 'forced' | 'unmarked'
}

export interface SyncReport {
  readonly hostsFile: string
  readonly realPath: string
  readonly dryRun: boolean
  /** The file was (or, in a dry run, would be) changed. */
  readonly changed: boolean
  /** Unified diff of the change; '' when nothing changes. */
  readonly diff: string
  /** The block's entries after the sync. */
  readonly entries: readonly HostEntry[]
  readonly ips: readonly string[]
  /** Hosts new in the block, dropped from it, and already there. */
  readonly added: readonly string[]
  readonly removed: readonly string[]
  readonly unchanged: readonly string[]
  /** Hosts the user maps outside the block: left alone, not added. */
  readonly userMapped: readonly UserMappedHost[]
  readonly invalid: readonly InvalidHost[]
  readonly wildcards: readonly string[]
  /** The block that was there before, when it was replaced. */
  readonly replaced: ReplacedBlock | null
  /** The backup created by this run (only the first write ever makes one). */
  readonly backup: string | null
  readonly write: WriteResult | null
  /** Temp files of killed kingress processes, removed. */
  readonly sweptTempFiles: readonly string[]
  readonly dnsFlush: DnsFlushResult | null
  readonly warnings: readonly string[]
  /** The command that removes the block (also written in it). */
  readonly removeCommand: string
}

export interface CleanOptions extends CommonOptions {
  /**
   * Remove the block only if it is the session block of this pid (what `kingress up --hosts` does
   * on exit: it must not remove a block someone else wrote since). Without it, any block goes.
   */
  readonly pid?: number
}

export interface CleanReport {
  readonly hostsFile: string
  readonly realPath: string
  readonly dryRun: boolean
  readonly changed: boolean
  readonly diff: string
  /** The entries that were in the block. */
  readonly removed: readonly HostEntry[]
  /** The removed (or skipped) block's meta; null when there was none or it had no meta line. */
  readonly block: BlockMeta | null
  /** Why nothing was removed. */
  readonly skipped: null | 'no-block' | 'other-owner'
  readonly backup: string | null
  readonly write: WriteResult | null
  readonly sweptTempFiles: readonly string[]
  readonly dnsFlush: DnsFlushResult | null
  readonly warnings: readonly string[]
}

// ---------------------------------------------------------------------------------------------
// Pure planning

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/** Lower-cases, drops a trailing dot, sorts and de-duplicates; sorts out wildcards and junk. */
export function normalizeHosts(hosts: readonly string[]): {names: string[]; wildcards: string[]; invalid: InvalidHost[]} {
  const names = new Set<string>()
  const wildcards = new Set<string>()
  const invalid: InvalidHost[] = []
  for (const raw of hosts) {
    const host = raw.trim().toLowerCase().replace(/\.$/, '')
    if (host.startsWith('*.')) {
      wildcards.add(host)
    } else if (isIP(host) !== 0) {
      invalid.push({host: raw, reason: 'is an IP address, not a host name'})
    } else if (host.length === 0 || host.length > 253 || !host.split('.').every((label) => LABEL.test(label))) {
      invalid.push({host: raw, reason: 'is not a valid DNS name (letters, digits, "-" and "." only)'})
    } else {
      names.add(host)
    }
  }
  return {names: [...names].sort(), wildcards: [...wildcards].sort(), invalid}
}

export interface SyncPlanInput {
  /** Normalised (see normalizeHosts). */
  readonly hosts: readonly string[]
  readonly ips: readonly string[]
  /** A host's own addresses instead of `ips` (absent: `ips` for every host). */
  readonly ipsOf?: (host: string) => readonly string[]
  readonly owner: BlockOwner
  readonly pid: number
  readonly since: string
  readonly removeCommand: string
  readonly force: boolean
  /** Whether a session block's owner still runs (see process.ts). */
  readonly isOwnerAlive: (meta: BlockMeta) => boolean
}

export interface SyncPlan {
  readonly newText: string
  readonly entries: HostEntry[]
  readonly added: string[]
  readonly removed: string[]
  readonly unchanged: string[]
  readonly userMapped: UserMappedHost[]
  readonly replaced: ReplacedBlock | null
}

/** What the file should look like after a sync. Throws HostsOwnedError for a live session's block. */
export function planSync(parsed: ParsedHostsText, input: SyncPlanInput): SyncPlan {
  const userMapped = findUserMapped(parsed.userMappings, input.hosts, input.ips)
  const skipped = new Set(userMapped.map((m) => m.host))
  const hosts = input.hosts.filter((h) => !skipped.has(h))
  const ipsOf = input.ipsOf
  const entries = hosts.flatMap((host) => (ipsOf === undefined ? input.ips : ipsOf(host)).map((ip) => ({ip, host})))
  const existing = parsed.block
  const replaced = existing ? judgeExisting(existing, input) : null
  const before = new Set(existing?.entries.map((e) => e.host) ?? [])
  const added = hosts.filter((h) => !before.has(h))
  const removed = [...before].filter((h) => !hosts.includes(h)).sort()
  const unchanged = hosts.filter((h) => before.has(h))
  const plan = {entries, added, removed, unchanged, userMapped, replaced}

  if (entries.length === 0) return {...plan, newText: withoutBlock(parsed)}
  const meta = existing?.meta
  const sameOwner = meta?.owner === input.owner && (input.owner === 'static' || meta.pid === input.pid)
  if (existing && sameOwner && sameEntries(existing.entries, entries)) {
    // Same content: keep the file as it is, even the old pid and time of a static block.
    return {...plan, newText: parsed.text}
  }
  const blockText = renderBlock(
    entries,
    {
      owner: input.owner,
      pid: input.pid,
      since: input.since,
      addedEofNewline: existing ? (meta?.addedEofNewline ?? false) : appendNeedsEol(parsed),
    },
    {eol: parsed.eol, removeCommand: input.removeCommand, endHasEol: existing?.endHasEol ?? true},
  )
  return {...plan, newText: withBlock(parsed, blockText)}
}

function judgeExisting(block: ParsedBlock, input: SyncPlanInput): ReplacedBlock {
  const meta = block.meta
  if (!meta) return {owner: null, pid: null, reason: 'unmarked'}
  const base = {owner: meta.owner, pid: meta.pid}
  if (meta.owner === 'static') return {...base, reason: 'static'}
  if (meta.pid === input.pid) return {...base, reason: 'own'}
  if (!input.isOwnerAlive(meta)) return {...base, reason: 'stale'}
  if (input.force) return {...base, reason: 'forced'}
  throw new HostsOwnedError(null, meta.pid)
}

function findUserMapped(mappings: readonly UserMapping[], hosts: readonly string[], ips: readonly string[]): UserMappedHost[] {
  const wanted = new Set(hosts)
  const byHost = new Map<string, {addresses: string[]; lines: number[]}>()
  for (const mapping of mappings) {
    for (const name of mapping.names) {
      if (!wanted.has(name)) continue
      const found = byHost.get(name) ?? {addresses: [], lines: []}
      if (!found.addresses.includes(mapping.ip)) found.addresses.push(mapping.ip)
      found.lines.push(mapping.line)
      byHost.set(name, found)
    }
  }
  return [...byHost.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([host, {addresses, lines}]) => ({host, addresses, lines, pointsToProxy: addresses.some((a) => ips.includes(a))}))
}

export interface CleanPlan {
  readonly newText: string
  readonly removed: HostEntry[]
  readonly block: BlockMeta | null
  readonly skipped: CleanReport['skipped']
  /** The block belongs to a running session other than the caller. */
  readonly ownedByLiveSession: boolean
}

export function planClean(parsed: ParsedHostsText, input: {readonly pid?: number; readonly isOwnerAlive: (meta: BlockMeta) => boolean}): CleanPlan {
  const block = parsed.block
  if (!block) return {newText: parsed.text, removed: [], block: null, skipped: 'no-block', ownedByLiveSession: false}
  const meta = block.meta
  if (input.pid !== undefined && !(meta?.owner === 'session' && meta.pid === input.pid)) {
    return {newText: parsed.text, removed: [], block: meta, skipped: 'other-owner', ownedByLiveSession: false}
  }
  const ownedByLiveSession = meta?.owner === 'session' && meta.pid !== input.pid && input.isOwnerAlive(meta)
  return {newText: withoutBlock(parsed), removed: [...block.entries], block: meta, skipped: null, ownedByLiveSession}
}

// ---------------------------------------------------------------------------------------------
// The file transaction: lock, read, plan, backup, atomic write

interface Transaction<P> {
  readonly realPath: string
  readonly oldText: string
  readonly plan: P
  readonly backup: string | null
  readonly write: WriteResult | null
  readonly sweptTempFiles: string[]
  readonly warnings: string[]
}

const ownerAlive = (meta: BlockMeta): boolean => isOwnerAlive(meta.pid, meta.since)

function parse(file: HostsFileContent, platform: NodeJS.Platform): ParsedHostsText {
  try {
    return parseHostsText(file.text, platform === 'win32' ? '\r\n' : '\n')
  } catch (error) {
    if (error instanceof HostsFormatError) throw error.withFile(file.path)
    throw error
  }
}

async function transact<P extends {readonly newText: string}>(
  options: CommonOptions,
  makePlan: (parsed: ParsedHostsText) => P,
): Promise<Transaction<P>> {
  const {hostsFile, hooks = {}} = options
  const platform = options.platform ?? process.platform
  const realPath = await resolveHostsFile(hostsFile)
  const denied = (action: string) => (error: unknown): never => {
    if (isPermissionError(error)) throw new HostsPermissionError(errnoCode(error)!, {hostsFile, action, rerun: options.rerun, platform})
    throw error
  }

  // A first look without the lock: a dry run, or a file that needs no change, takes no lock and
  // touches nothing (so a normal user can run an up-to-date sync without sudo).
  const peek = await readHostsFile(hostsFile, realPath)
  const peekPlan = makePlan(parse(peek, platform))
  if (options.dryRun || peekPlan.newText === peek.text) {
    const warnings = options.dryRun && peekPlan.newText !== peek.text && !(await canWrite(realPath)) ? [`writing ${hostsFile} needs more rights than this user has${options.rerun ? `: sudo ${options.rerun.replace(/ --dry-run\b/, '')}` : ''}`] : []
    return {realPath, oldText: peek.text, plan: peekPlan, backup: null, write: null, sweptTempFiles: [], warnings}
  }

  const lock = await acquireLock(realPath, options.lock).catch(denied(`creating the lock file ${lockPathFor(realPath)}`))
  try {
    const swept = await sweepTempFiles(realPath)
    for (let attempt = 0; attempt < 3; attempt++) {
      const file = await readHostsFile(hostsFile, realPath)
      const parsed = parse(file, platform)
      await hooks.afterRead?.()
      const plan = makePlan(parsed)
      if (plan.newText === file.text) {
        return {realPath, oldText: file.text, plan, backup: null, write: null, sweptTempFiles: swept, warnings: []}
      }
      await access(realPath, constants.W_OK).catch(denied('opening it for writing'))
      const backupPath = realPath + BACKUP_SUFFIX
      const oldBytes = encodeHostsText(file.text)
      const madeBackup = await createOnce(backupPath, oldBytes, file.mode).catch(denied(`creating the backup ${backupPath}`))
      // Tools that don't know our lock (editors, hostile, Docker) may have written meanwhile.
      if (!(await readFile(realPath)).equals(oldBytes)) continue
      const write = await atomicWriteFile(realPath, encodeHostsText(plan.newText), hooks).catch(denied('replacing it'))
      const warnings: string[] = []
      if (write.method === 'in-place') warnings.push(`wrote ${hostsFile} in place (${write.fallbackReason}); a crash during that write could damage it: the backup is ${backupPath}`)
      warnings.push(...(await restoreSecurityContext(realPath, platform)))
      return {realPath, oldText: file.text, plan, backup: madeBackup ? backupPath : null, write, sweptTempFiles: swept, warnings}
    }
    throw new UserError('HOSTS_BUSY', `${hostsFile} kept changing while kingress tried to update it (another program is writing it); try again.`)
  } finally {
    await lock.release()
  }
}

/** Whether this process could lock, back up and replace the file (for a dry run's hint). */
async function canWrite(realPath: string): Promise<boolean> {
  try {
    await access(realPath, constants.W_OK)
    await access(dirname(realPath), constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** SELinux labels a renamed-in temp file as etc_t instead of net_conf_t: put the label back. */
async function restoreSecurityContext(realPath: string, platform: NodeJS.Platform): Promise<string[]> {
  if (platform !== 'linux') return []
  try {
    await stat('/sys/fs/selinux/enforce')
  } catch {
    return []
  }
  if (!(await isSystemHostsFile(realPath, platform))) return []
  return new Promise((resolve) => {
    execFile('restorecon', [realPath], {timeout: 10_000}, (error) => {
      resolve(error && errnoCode(error) !== 'ENOENT' ? [`restorecon ${realPath} failed (${error.message.split('\n')[0]}); run it yourself if a service cannot read the hosts file`] : [])
    })
  })
}

async function maybeFlushDns(options: CommonOptions, realPath: string, changed: boolean): Promise<DnsFlushResult | null> {
  if (!changed || options.dryRun) return null
  const platform = options.platform ?? process.platform
  const wanted = options.flushDns ?? (await isSystemHostsFile(realPath, platform))
  return wanted ? flushDnsCache(platform) : null
}

async function removeCommandFor(realPath: string, platform: NodeJS.Platform): Promise<string> {
  return (await isSystemHostsFile(realPath, platform)) ? 'kingress hosts clean' : `kingress hosts clean --hosts-file ${shellQuote(realPath)}`
}

function label(hostsFile: string, dryRun: boolean, what: string): {fromLabel: string; toLabel: string} {
  return {fromLabel: hostsFile, toLabel: `${hostsFile} (${dryRun ? 'after' : 'now, after'} ${what})`}
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Makes the kingress block in the hosts file map every host to the proxy. Everything outside the
 * block stays byte-for-byte as it was; a sync that changes nothing does not write.
 */
export async function syncHosts(options: SyncOptions): Promise<SyncReport> {
  const platform = options.platform ?? process.platform
  const ip = options.ip ?? DEFAULT_IP
  if (isIP(ip) === 0) throw new UserError('BAD_IP', `--ip ${ip}: not an IPv4 or IPv6 address.`)
  const ips = options.ipv6 && ip !== '::1' ? [ip, '::1'] : [ip]
  const addresses = options.addresses
  for (const other of addresses?.values() ?? []) if (isIP(other) === 0) throw new UserError('BAD_IP', `${other}: not an IPv4 or IPv6 address.`)
  const ipsOf = addresses === undefined || addresses.size === 0 ? undefined : (host: string): readonly string[] => {
    const own = addresses.get(host)
    // ::1 is the --ip proxy's (or nothing's), never another Gateway's address: its hosts get only their own.
    return own === undefined ? ips : [own]
  }
  const allIps = ipsOf === undefined ? ips : [...new Set([...ips, ...addresses!.values()])]
  const normalized = normalizeHosts(options.hosts)
  const wildcards = [...new Set([...normalized.wildcards, ...normalizeHosts(options.wildcards ?? []).wildcards])].sort()
  const pid = options.pid ?? process.pid
  const realPathForCommand = await resolveHostsFile(options.hostsFile)
  const removeCommand = await removeCommandFor(realPathForCommand, platform)
  const since = new Date().toISOString()

  let tx: Transaction<SyncPlan>
  try {
    tx = await transact(options, (parsed) =>
      planSync(parsed, {hosts: normalized.names, ips: allIps, ipsOf, owner: options.owner, pid, since, removeCommand, force: options.force ?? false, isOwnerAlive: ownerAlive}),
    )
  } catch (error) {
    if (error instanceof HostsOwnedError) throw new HostsOwnedError(options.hostsFile, error.pid)
    throw error
  }
  const changed = tx.plan.newText !== tx.oldText
  const dryRun = options.dryRun ?? false
  return {
    hostsFile: options.hostsFile,
    realPath: tx.realPath,
    dryRun,
    changed,
    diff: unifiedDiff(tx.oldText, tx.plan.newText, label(options.hostsFile, dryRun, 'kingress hosts sync')),
    entries: tx.plan.entries,
    ips: allIps,
    added: tx.plan.added,
    removed: tx.plan.removed,
    unchanged: tx.plan.unchanged,
    userMapped: tx.plan.userMapped,
    invalid: normalized.invalid,
    wildcards,
    replaced: tx.plan.replaced,
    backup: tx.backup,
    write: tx.write,
    sweptTempFiles: tx.sweptTempFiles,
    dnsFlush: await maybeFlushDns(options, tx.realPath, changed),
    warnings: tx.warnings,
    removeCommand,
  }
}

/** Removes the kingress block, leaving the file exactly as it was before the first sync. */
export async function cleanHosts(options: CleanOptions): Promise<CleanReport> {
  const tx = await transact(options, (parsed) => planClean(parsed, {pid: options.pid, isOwnerAlive: ownerAlive}))
  const changed = tx.plan.newText !== tx.oldText
  const dryRun = options.dryRun ?? false
  const warnings = [...tx.warnings]
  if (tx.plan.ownedByLiveSession) {
    warnings.push(`the block belonged to a running \`kingress up --hosts\` (pid ${tx.plan.block?.pid}); it will add its entries again on its next reload unless you stop it`)
  }
  return {
    hostsFile: options.hostsFile,
    realPath: tx.realPath,
    dryRun,
    changed,
    diff: unifiedDiff(tx.oldText, tx.plan.newText, label(options.hostsFile, dryRun, 'kingress hosts clean')),
    removed: tx.plan.removed,
    block: tx.plan.block,
    skipped: tx.plan.skipped,
    backup: tx.backup,
    write: tx.write,
    sweptTempFiles: tx.sweptTempFiles,
    dnsFlush: await maybeFlushDns(options, tx.realPath, changed),
    warnings,
  }
}

export interface HostsState {
  readonly hostsFile: string
  readonly realPath: string
  readonly block: ParsedBlock | null
  /** For a session block: whether its process still runs. null for a static or missing block. */
  readonly ownerAlive: boolean | null
  readonly userMappings: readonly UserMapping[]
}

/** Reads the file without locking or writing: what `kingress hosts list` shows. */
export async function readHostsState(hostsFile: string, platform: NodeJS.Platform = process.platform): Promise<HostsState> {
  const file = await readHostsFile(hostsFile)
  const parsed = parse(file, platform)
  const meta = parsed.block?.meta
  return {
    hostsFile,
    realPath: file.realPath,
    block: parsed.block,
    ownerAlive: meta?.owner === 'session' ? ownerAlive(meta) : null,
    userMappings: parsed.userMappings,
  }
}
