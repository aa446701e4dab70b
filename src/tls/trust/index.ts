import {constants, existsSync, promises as fs} from 'node:fs'
import path from 'node:path'

import {caPaths, type LocalCA, loadCA, loadOrCreateCA} from '../ca.js'
import {ensurePrivateDir, readIfExists} from '../files.js'
import {kingressHome, tildify, userHome} from '../home.js'
import {findExecutable, isRoot, run, shellLine} from './exec.js'
import {certutilInstallHint, findNssDatabases, nssCommands} from './nss.js'
import {readTrustFile, sameRecord, type TrustRecord, writeTrustFile} from './state.js'
import {bundleContains, detectSystemStore, isWsl, type LinuxStore, samePem} from './system.js'

export type StepStatus = 'done' | 'already' | 'would' | 'needs-sudo' | 'manual' | 'failed' | 'skipped'

/** What happened to one trust store, for the user to read. */
export interface TrustStep {
  readonly target: string
  readonly status: StepStatus
  readonly detail: string
  /** Exact commands to run by hand (needs-sudo, manual, would). */
  readonly commands: readonly string[]
}

export interface TrustReport {
  readonly ca: {readonly certPath: string; readonly commonName: string; readonly id: string; readonly fingerprint: string; readonly created: boolean} | null
  readonly steps: readonly TrustStep[]
  readonly hints: readonly string[]
  /** False when a step failed (a command kingress ran did not work). */
  readonly ok: boolean
}

export interface TrustOptions {
  readonly home?: string
  readonly env?: NodeJS.ProcessEnv
  readonly platform?: NodeJS.Platform
  readonly dryRun?: boolean
}

interface Context {
  readonly env: NodeJS.ProcessEnv
  readonly platform: NodeJS.Platform
  readonly dryRun: boolean
  readonly ca: LocalCA
  readonly now: string
  readonly steps: TrustStep[]
  readonly records: TrustRecord[]
}

/** The NSS nickname and system file name carry the CA's id, so two CAs never collide. */
export function nssNickname(ca: LocalCA): string {
  return `${ca.commonName} ${ca.id}`
}

/**
 * `kingress ca install`: trust the local CA in the system store and in every NSS database (Chrome,
 * Chromium, Firefox) under HOME. Never runs sudo: what needs root is returned as commands to run.
 * Records what it did in `$KINGRESS_HOME/trust.json` for uninstallCA.
 */
export async function installCA(options: TrustOptions = {}): Promise<TrustReport> {
  const env = options.env ?? process.env
  const home = options.home ?? kingressHome(env)
  const ca = await loadOrCreateCA({home, env})
  const state = await readTrustFile(ca.paths.trustFile)
  const ctx: Context = {env, platform: options.platform ?? process.platform, dryRun: options.dryRun ?? false, ca, now: new Date().toISOString(), steps: [], records: [...state.installed]}

  await installSystem(ctx)
  await installNss(ctx)
  if (isWsl(env, ctx.platform)) ctx.steps.push(windowsFromWsl(ca, 'install'))
  if (!ctx.dryRun) await writeTrustFile(ca.paths.trustFile, {version: 1, installed: ctx.records})

  const hints = [
    `Node.js ignores the system store: run Node clients with NODE_EXTRA_CA_CERTS=${ca.paths.cert}`,
    'Restart the browser if it was running: Chrome and Firefox read their certificate databases at startup.',
  ]
  if (isRoot() && (env.SUDO_USER ?? '') !== '') {
    hints.unshift(
      `You ran this with sudo: the CA used is ${ca.paths.cert}, root's, not the one \`kingress up\` uses as ${env.SUDO_USER}. Run \`kingress ca install\` without sudo; it prints the one command that needs sudo.`,
    )
  }
  return report(ca, ctx.steps, hints)
}

/** `kingress ca uninstall`: undo what trust.json records (and a system-store file the user copied by hand as told). */
export async function uninstallCA(options: TrustOptions = {}): Promise<TrustReport> {
  const env = options.env ?? process.env
  const home = options.home ?? kingressHome(env)
  const paths = caPaths(home)
  const ca = await loadCA(paths)
  const state = await readTrustFile(paths.trustFile)
  const platform = options.platform ?? process.platform
  const dryRun = options.dryRun ?? false
  const records = [...state.installed]
  const now = new Date().toISOString()

  // The system file `ca install` asked the user to copy with sudo is ours too, even if unrecorded.
  if (ca !== null) {
    const store = detectSystemStore({env, platform})
    if (store.kind === 'linux') {
      const file = path.join(store.anchorDir, `kingress-${ca.id}${store.extension}`)
      const record: TrustRecord = {kind: 'system', store: store.name, file, update: store.update, fingerprint: ca.fingerprint, at: now}
      if (existsSync(file) && !records.some((r) => sameRecord(r, record))) records.push(record)
    }
  }
  if (records.length === 0) {
    const steps: TrustStep[] = [{target: 'trust stores', status: 'skipped', detail: `nothing to undo: ${tildify(paths.trustFile, env)} records no installation`, commands: []}]
    if (ca !== null && isWsl(env, platform)) steps.push(windowsFromWsl(ca, 'uninstall'))
    return report(ca, steps, [])
  }

  const steps: TrustStep[] = []
  const keep: TrustRecord[] = []
  const certutil = findExecutable('certutil', env, platform)
  for (const record of records) {
    const outcome = await undo(record, {env, platform, dryRun, certutil})
    steps.push(outcome.step)
    if (outcome.keep) keep.push(record)
  }
  if (ca !== null && isWsl(env, platform)) steps.push(windowsFromWsl(ca, 'uninstall'))
  if (!dryRun) await writeTrustFile(paths.trustFile, {version: 1, installed: keep})
  return report(ca, steps, [])
}

/** For `kingress up`: is the CA trusted anywhere yet? Cheap: reads files, runs nothing, never creates the CA. */
export async function caTrustState(options: Omit<TrustOptions, 'dryRun'> = {}): Promise<{installed: boolean; where: string[]}> {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const paths = caPaths(options.home ?? kingressHome(env))
  let ca: LocalCA | null
  try {
    ca = await loadCA(paths)
  } catch {
    return {installed: false, where: []}
  }
  if (ca === null) return {installed: false, where: []}
  const where: string[] = []
  const store = detectSystemStore({env, platform})
  if (store.kind === 'linux') {
    const bundle = store.bundles.find((b) => bundleContains(b, ca.certPem))
    if (bundle !== undefined) where.push(`system store (${bundle})`)
    else if (store.bundles.length === 0 && existsSync(path.join(store.anchorDir, `kingress-${ca.id}${store.extension}`))) where.push(`system store (${store.anchorDir})`)
  }
  const state = await readTrustFile(paths.trustFile)
  for (const record of state.installed) {
    if (record.fingerprint !== ca.fingerprint) continue
    if (record.kind === 'nss' && existsSync(path.join(record.dir, 'cert9.db'))) where.push(`NSS ${record.label} (${tildify(record.dir, env)})`)
    if (record.kind === 'macos-keychain') where.push(`macOS keychain ${record.keychain}`)
    if (record.kind === 'windows') where.push(`Windows ${record.store} store`)
  }
  return {installed: where.length > 0, where}
}

function report(ca: LocalCA | null, steps: TrustStep[], hints: string[]): TrustReport {
  return {
    ca: ca === null ? null : {certPath: ca.paths.cert, commonName: ca.commonName, id: ca.id, fingerprint: ca.fingerprint, created: ca.created},
    steps,
    hints,
    ok: steps.every((s) => s.status !== 'failed'),
  }
}

function addRecord(ctx: Context, record: TrustRecord): void {
  if (!ctx.records.some((r) => sameRecord(r, record))) ctx.records.push(record)
}

// ---------------------------------------------------------------------------------------- system

async function installSystem(ctx: Context): Promise<void> {
  const store = detectSystemStore({env: ctx.env, platform: ctx.platform})
  switch (store.kind) {
    case 'none':
      ctx.steps.push({target: 'system store', status: 'skipped', detail: store.reason, commands: []})
      return
    case 'linux':
      return installLinux(ctx, store)
    case 'macos':
      return installMacos(ctx)
    case 'windows':
      return installWindows(ctx)
  }
}

async function installLinux(ctx: Context, store: LinuxStore): Promise<void> {
  const {ca} = ctx
  const file = path.join(store.anchorDir, `kingress-${ca.id}${store.extension}`)
  const target = `system store (${store.name}: ${store.anchorDir})`
  const record: TrustRecord = {kind: 'system', store: store.name, file, update: store.update, fingerprint: ca.fingerprint, at: ctx.now}
  const updateLine = shellLine(store.update)
  const current = await readIfExists(file).catch(() => null)
  const inBundle = store.bundles.some((b) => bundleContains(b, ca.certPem))
  if (current !== null && samePem(current, ca.certPem) && (inBundle || store.bundles.length === 0)) {
    addRecord(ctx, record)
    ctx.steps.push({target, status: 'already', detail: `${file} is in place${inBundle ? ' and in the system bundle' : ''}`, commands: []})
    return
  }
  const sudoCommands = [`sudo cp ${shellLine([ca.paths.cert, file])}`, `sudo ${updateLine}`]
  if (!store.updateFound) {
    ctx.steps.push({target, status: 'manual', detail: `${store.update[0]} was not found; copy the CA into ${store.anchorDir} and rebuild the bundle`, commands: sudoCommands})
    return
  }
  const writable = await canWrite(store.anchorDir)
  if (!writable) {
    ctx.steps.push({target, status: 'needs-sudo', detail: `${store.anchorDir} is writable only by root; kingress does not run sudo itself. Run:`, commands: sudoCommands})
    return
  }
  if (ctx.dryRun) {
    ctx.steps.push({target, status: 'would', detail: `would copy the CA to ${file} and run ${updateLine}`, commands: [shellLine(['cp', ca.paths.cert, file]), updateLine]})
    return
  }
  try {
    await fs.mkdir(store.anchorDir, {recursive: true, mode: 0o755})
    await fs.copyFile(ca.paths.cert, file)
    await fs.chmod(file, 0o644)
  } catch (error) {
    ctx.steps.push({target, status: 'failed', detail: `could not copy the CA to ${file} (${(error as Error).message}). Run:`, commands: sudoCommands})
    return
  }
  addRecord(ctx, record)
  const result = await run(store.update[0] ?? '', store.update.slice(1), ctx.env)
  if (result.code !== 0) {
    ctx.steps.push({target, status: 'failed', detail: `copied the CA to ${file}, but ${updateLine} failed (exit ${result.code}): ${firstLine(result.stderr || result.stdout)}`, commands: [updateLine]})
    return
  }
  ctx.steps.push({target, status: 'done', detail: `copied the CA to ${file} and ran ${updateLine}`, commands: []})
}

const MAC_SYSTEM_KEYCHAIN = '/Library/Keychains/System.keychain'

async function installMacos(ctx: Context): Promise<void> {
  const {ca} = ctx
  const sha1 = ca.cert.fingerprint.replaceAll(':', '')
  const target = `macOS System keychain`
  const record: TrustRecord = {kind: 'macos-keychain', keychain: MAC_SYSTEM_KEYCHAIN, sha1, fingerprint: ca.fingerprint, at: ctx.now}
  const listed = await run('security', ['find-certificate', '-a', '-Z', MAC_SYSTEM_KEYCHAIN], ctx.env)
  if (listed.code === 0 && listed.stdout.toUpperCase().includes(sha1.toUpperCase())) {
    addRecord(ctx, record)
    ctx.steps.push({target, status: 'already', detail: `the CA (SHA-1 ${sha1}) is in ${MAC_SYSTEM_KEYCHAIN}`, commands: []})
    return
  }
  const add = ['security', 'add-trusted-cert', '-d', '-r', 'trustRoot', '-k', MAC_SYSTEM_KEYCHAIN, ca.paths.cert]
  if (!isRoot()) {
    const login = ['security', 'add-trusted-cert', '-r', 'trustRoot', '-k', path.join(userHome(ctx.env), 'Library', 'Keychains', 'login.keychain-db'), ca.paths.cert]
    ctx.steps.push({
      target,
      status: 'needs-sudo',
      detail: 'adding a trusted root to the System keychain needs an administrator; kingress does not run sudo itself. Run the first command (or, for your user only, the second: macOS asks for your password):',
      commands: [`sudo ${shellLine(add)}`, shellLine(login)],
    })
    return
  }
  if (ctx.dryRun) {
    ctx.steps.push({target, status: 'would', detail: 'would add the CA as a trusted root', commands: [shellLine(add)]})
    return
  }
  const result = await run(add[0] ?? 'security', add.slice(1), ctx.env)
  if (result.code !== 0) {
    ctx.steps.push({target, status: 'failed', detail: `${shellLine(add)} failed (exit ${result.code}): ${firstLine(result.stderr)}`, commands: [shellLine(add)]})
    return
  }
  addRecord(ctx, record)
  ctx.steps.push({target, status: 'done', detail: `added the CA as a trusted root to ${MAC_SYSTEM_KEYCHAIN}`, commands: []})
}

async function installWindows(ctx: Context): Promise<void> {
  const {ca} = ctx
  const sha1 = ca.cert.fingerprint.replaceAll(':', '')
  const target = 'Windows certificate store (current user, Trusted Root Certification Authorities)'
  const record: TrustRecord = {kind: 'windows', store: 'user ROOT', sha1, fingerprint: ca.fingerprint, at: ctx.now}
  const add = ['certutil', '-user', '-addstore', '-f', 'ROOT', ca.paths.cert]
  const present = await run('certutil', ['-user', '-verifystore', 'ROOT', sha1], ctx.env)
  if (present.code === 0) {
    addRecord(ctx, record)
    ctx.steps.push({target, status: 'already', detail: `the CA (SHA-1 ${sha1}) is in the store`, commands: []})
    return
  }
  if (ctx.dryRun) {
    ctx.steps.push({target, status: 'would', detail: 'would add the CA (Windows shows a confirmation dialog)', commands: [shellLine(add)]})
    return
  }
  const result = await run(add[0] ?? 'certutil', add.slice(1), ctx.env, 300_000)
  if (result.code !== 0) {
    ctx.steps.push({target, status: 'failed', detail: `certutil failed (exit ${result.code}): ${firstLine(result.stdout || result.stderr)}`, commands: [shellLine(add)]})
    return
  }
  addRecord(ctx, record)
  ctx.steps.push({target, status: 'done', detail: 'added the CA (Chrome, Edge and Firefox on Windows read this store)', commands: []})
}

/** On WSL, browsers run on Windows and trust the Windows store: kingress prints the commands (they pop a dialog). */
function windowsFromWsl(ca: LocalCA, action: 'install' | 'uninstall'): TrustStep {
  const target = 'Windows certificate store (WSL: Windows browsers do not read Linux trust stores)'
  const sha1 = ca.cert.fingerprint.replaceAll(':', '')
  if (action === 'uninstall') {
    return {target, status: 'manual', detail: 'if you added the CA on the Windows side, remove it with:', commands: [`certutil.exe -user -delstore ROOT ${sha1}`]}
  }
  const name = `kingress-ca-${ca.id}.crt`
  const publicDir = '/mnt/c/Users/Public'
  return {
    target,
    status: 'manual',
    detail: `run these from this WSL shell (the first copies the CA where Windows can read it${existsSync(publicDir) ? '' : `; adjust ${publicDir} if C: is mounted elsewhere`}; add it to the machine-wide store instead with certutil.exe -addstore -f ROOT from an administrator prompt):`,
    commands: [shellLine(['cp', ca.paths.cert, `${publicDir}/${name}`]), `certutil.exe -user -addstore -f ROOT 'C:\\Users\\Public\\${name}'`],
  }
}

// ------------------------------------------------------------------------------------------- NSS

async function installNss(ctx: Context): Promise<void> {
  if (ctx.platform !== 'linux' && ctx.platform !== 'darwin') return
  const {ca} = ctx
  const home = userHome(ctx.env)
  const dbs = await findNssDatabases(home, ctx.platform)
  if (dbs.length === 0) {
    ctx.steps.push({target: 'NSS databases (Firefox)', status: 'skipped', detail: 'no Firefox profile found', commands: []})
    return
  }
  const nickname = nssNickname(ca)
  const certutil = findExecutable('certutil', ctx.env, ctx.platform)
  for (const db of dbs) {
    const target = `NSS database ${tildify(db.dir, ctx.env)} (${db.label})`
    const commands = [...(db.exists ? [] : [shellLine(['mkdir', '-p', db.dir]), shellLine(['certutil', ...nssCommands.create(db.dir)])]), shellLine(['certutil', ...nssCommands.add(db.dir, nickname, ca.paths.cert)])]
    if (certutil === null) {
      ctx.steps.push({target, status: 'manual', detail: `certutil (NSS tools) is not installed: ${certutilInstallHint(ctx.platform)}; then run \`kingress ca install\` again, or run:`, commands})
      continue
    }
    const record: TrustRecord = {kind: 'nss', dir: db.dir, label: db.label, nickname, createdDb: !db.exists, fingerprint: ca.fingerprint, at: ctx.now}
    if (db.exists && (await run(certutil, nssCommands.has(db.dir, nickname), ctx.env)).code === 0) {
      addRecord(ctx, record)
      ctx.steps.push({target, status: 'already', detail: `holds "${nickname}"`, commands: []})
      continue
    }
    if (ctx.dryRun) {
      ctx.steps.push({target, status: 'would', detail: db.exists ? `would add "${nickname}"` : 'would create the database and add the CA', commands})
      continue
    }
    if (!db.exists) {
      await ensurePrivateDir(db.dir)
      const created = await run(certutil, nssCommands.create(db.dir), ctx.env)
      if (created.code !== 0) {
        ctx.steps.push({target, status: 'failed', detail: `could not create the database (exit ${created.code}): ${firstLine(created.stderr || created.stdout)}`, commands})
        continue
      }
    }
    const added = await run(certutil, nssCommands.add(db.dir, nickname, ca.paths.cert), ctx.env)
    if (added.code !== 0) {
      ctx.steps.push({target, status: 'failed', detail: `certutil -A failed (exit ${added.code}): ${firstLine(added.stderr || added.stdout)}`, commands})
      continue
    }
    addRecord(ctx, record)
    ctx.steps.push({target, status: 'done', detail: `${db.exists ? '' : 'created it and '}added "${nickname}" (trusted for TLS servers)`, commands: []})
  }
}

// ------------------------------------------------------------------------------------- uninstall

interface UndoContext {
  readonly env: NodeJS.ProcessEnv
  readonly platform: NodeJS.Platform
  readonly dryRun: boolean
  readonly certutil: string | null
}

async function undo(record: TrustRecord, ctx: UndoContext): Promise<{step: TrustStep; keep: boolean}> {
  switch (record.kind) {
    case 'system': {
      const target = `system store (${record.store}: ${path.dirname(record.file)})`
      const updateLine = shellLine(record.update)
      if (!existsSync(record.file)) return {step: {target, status: 'already', detail: `${record.file} is already gone`, commands: []}, keep: false}
      if (!(await canWrite(path.dirname(record.file)))) {
        return {step: {target, status: 'needs-sudo', detail: `${path.dirname(record.file)} is writable only by root; kingress does not run sudo itself. Run:`, commands: [`sudo rm -f ${shellLine([record.file])}`, `sudo ${updateLine}`]}, keep: true}
      }
      if (ctx.dryRun) return {step: {target, status: 'would', detail: `would remove ${record.file} and run ${updateLine}`, commands: [shellLine(['rm', '-f', record.file]), updateLine]}, keep: true}
      try {
        await fs.rm(record.file, {force: true})
      } catch (error) {
        return {step: {target, status: 'failed', detail: `could not remove ${record.file} (${(error as Error).message}). Run:`, commands: [`sudo rm -f ${shellLine([record.file])}`, `sudo ${updateLine}`]}, keep: true}
      }
      const result = await run(record.update[0] ?? '', record.update.slice(1), ctx.env)
      if (result.code !== 0) return {step: {target, status: 'failed', detail: `removed ${record.file}, but ${updateLine} failed (exit ${result.code}): ${firstLine(result.stderr || result.stdout)}`, commands: [updateLine]}, keep: false}
      return {step: {target, status: 'done', detail: `removed ${record.file} and ran ${updateLine}`, commands: []}, keep: false}
    }
    case 'nss': {
      const target = `NSS database ${tildify(record.dir, ctx.env)} (${record.label})`
      const command = shellLine(['certutil', ...nssCommands.remove(record.dir, record.nickname)])
      if (!existsSync(path.join(record.dir, 'cert9.db'))) return {step: {target, status: 'already', detail: 'the database no longer exists', commands: []}, keep: false}
      if (ctx.certutil === null) return {step: {target, status: 'manual', detail: `certutil (NSS tools) is not installed: ${certutilInstallHint(ctx.platform)}; or run:`, commands: [command]}, keep: true}
      if ((await run(ctx.certutil, nssCommands.has(record.dir, record.nickname), ctx.env)).code !== 0) {
        return {step: {target, status: 'already', detail: `"${record.nickname}" is not in it any more`, commands: []}, keep: false}
      }
      if (ctx.dryRun) return {step: {target, status: 'would', detail: `would remove "${record.nickname}"`, commands: [command]}, keep: true}
      // NSS can hold several certificates under one nickname: delete until none is left.
      for (let i = 0; i < 10; i++) {
        const removed = await run(ctx.certutil, nssCommands.remove(record.dir, record.nickname), ctx.env)
        if (removed.code !== 0) {
          if (i > 0) break
          return {step: {target, status: 'failed', detail: `certutil -D failed (exit ${removed.code}): ${firstLine(removed.stderr || removed.stdout)}`, commands: [command]}, keep: true}
        }
        if ((await run(ctx.certutil, nssCommands.has(record.dir, record.nickname), ctx.env)).code !== 0) break
      }
      return {step: {target, status: 'done', detail: `removed "${record.nickname}"`, commands: []}, keep: false}
    }
    case 'macos-keychain': {
      const target = `macOS keychain ${record.keychain}`
      const del = ['security', 'delete-certificate', '-Z', record.sha1, '-t', record.keychain]
      if (!isRoot()) return {step: {target, status: 'needs-sudo', detail: 'removing a root from the System keychain needs an administrator. Run:', commands: [`sudo ${shellLine(del)}`]}, keep: true}
      if (ctx.dryRun) return {step: {target, status: 'would', detail: 'would remove the CA and its trust settings', commands: [shellLine(del)]}, keep: true}
      const result = await run('security', del.slice(1), ctx.env)
      if (result.code !== 0) return {step: {target, status: 'failed', detail: `${shellLine(del)} failed (exit ${result.code}): ${firstLine(result.stderr)}`, commands: [shellLine(del)]}, keep: true}
      return {step: {target, status: 'done', detail: 'removed the CA and its trust settings', commands: []}, keep: false}
    }
    case 'windows': {
      const target = `Windows ${record.store} store`
      const del = ['certutil', '-user', '-delstore', 'ROOT', record.sha1]
      if (ctx.dryRun) return {step: {target, status: 'would', detail: 'would remove the CA', commands: [shellLine(del)]}, keep: true}
      const result = await run('certutil', del.slice(1), ctx.env, 300_000)
      if (result.code !== 0) return {step: {target, status: 'failed', detail: `certutil failed (exit ${result.code}): ${firstLine(result.stdout || result.stderr)}`, commands: [shellLine(del)]}, keep: true}
      return {step: {target, status: 'done', detail: 'removed the CA', commands: []}, keep: false}
    }
  }
}

async function canWrite(dir: string): Promise<boolean> {
  // A folder that does not exist yet is writable when its parent is.
  let probe = dir
  while (!existsSync(probe)) {
    const parent = path.dirname(probe)
    if (parent === probe) return false
    probe = parent
  }
  try {
    await fs.access(probe, constants.W_OK)
    return true
  } catch {
    return false
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

/** Renders a report as the lines `kingress ca install|uninstall` print. */
export function renderTrustReport(report: TrustReport, env: NodeJS.ProcessEnv = process.env): string {
  const icon: Record<StepStatus, string> = {done: '✓', already: '✓', would: '·', 'needs-sudo': '!', manual: '!', failed: '✗', skipped: '-'}
  const lines: string[] = []
  if (report.ca !== null) lines.push(`${report.ca.created ? 'Created ' : ''}CA "${report.ca.commonName}" (${tildify(report.ca.certPath, env)}, SHA-256 ${report.ca.fingerprint.slice(0, 16)}…)`)
  for (const step of report.steps) {
    lines.push(`${icon[step.status]} ${step.target}: ${step.status === 'already' ? 'already done — ' : ''}${step.detail}`)
    for (const command of step.commands) lines.push(`    ${command}`)
  }
  for (const hint of report.hints) lines.push(hint)
  return lines.join('\n')
}
