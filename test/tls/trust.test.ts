import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {findExecutable} from '../../src/tls/trust/exec.js'
import {caTrustState, installCA, nssNickname, renderTrustReport, uninstallCA} from '../../src/tls/trust/index.js'
import {loadCA, caPaths} from '../../src/tls/ca.js'
import {runCli} from '../support/cli.js'
import {tempDir, tempEnv} from './helpers.js'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))
function sandbox(): {dir: string; env: NodeJS.ProcessEnv} {
  const t = tempDir()
  cleanups.push(t.cleanup)
  const env = tempEnv(t.dir)
  mkdirSync(env.HOME ?? '', {recursive: true})
  return {dir: t.dir, env}
}

const certutil = findExecutable('certutil')

function nssList(dir: string): string {
  return execFileSync('certutil', ['-L', '-d', `sql:${dir}`], {encoding: 'utf8'})
}

describe('ca install / uninstall with real NSS databases', () => {
  it('adds the CA to ~/.pki/nssdb (creating it) and to a Firefox profile, then removes exactly that', async (ctx) => {
    if (certutil === null) {
      console.log('SKIPPED NSS trust test: certutil is not installed (Debian/Ubuntu: apt-get install libnss3-tools)')
      ctx.skip()
    }
    const {env} = sandbox()
    const home = env.HOME ?? ''
    // A Firefox profile with an existing NSS database.
    const profile = path.join(home, '.mozilla', 'firefox', 'abcd1234.default-release')
    mkdirSync(profile, {recursive: true})
    execFileSync('certutil', ['-d', `sql:${profile}`, '-N', '--empty-password'])

    expect(await caTrustState({env})).toEqual({installed: false, where: []})
    const report = await installCA({env})
    expect(report.ok).toBe(true)
    const ca = await loadCA(caPaths(env.KINGRESS_HOME ?? ''))
    if (ca === null) throw new Error('no CA')
    const nick = nssNickname(ca)
    expect(nick).toMatch(/^kingress local CA \(.+@.+\) [0-9a-f]{8}$/)
    const text = renderTrustReport(report, env)
    console.log(text)
    expect(text).toContain(`✓ NSS database ~/.pki/nssdb (Chrome/Chromium): created it and added "${nick}"`)
    expect(text).toContain(`✓ NSS database ~/.mozilla/firefox/abcd1234.default-release (Firefox profile abcd1234.default-release): added "${nick}"`)
    expect(text).toContain('- system store: KINGRESS_SYSTEM_TRUST=skip')
    expect(text).toContain(`NODE_EXTRA_CA_CERTS=${ca.paths.cert}`)

    const chromeDb = path.join(home, '.pki', 'nssdb')
    expect(nssList(chromeDb)).toMatch(new RegExp(`${escape(nick)}\\s+C,,`))
    expect(nssList(profile)).toContain(nick)
    // The database really trusts it for TLS servers: certutil -V validates the CA as an SSL CA.
    expect(execFileSync('certutil', ['-V', '-d', `sql:${chromeDb}`, '-n', nick, '-u', 'L'], {encoding: 'utf8'})).toContain('certificate is valid')

    const trust = JSON.parse(readFileSync(path.join(env.KINGRESS_HOME ?? '', 'trust.json'), 'utf8')) as {installed: {kind: string; dir: string}[]}
    expect(trust.installed.map((r) => [r.kind, r.dir])).toEqual([
      ['nss', chromeDb],
      ['nss', profile],
    ])
    const state = await caTrustState({env})
    expect(state.installed).toBe(true)
    expect(state.where).toEqual(['NSS Chrome/Chromium (~/.pki/nssdb)', 'NSS Firefox profile abcd1234.default-release (~/.mozilla/firefox/abcd1234.default-release)'])

    // Twice is harmless.
    const again = await installCA({env})
    expect(again.steps.filter((s) => s.target.startsWith('NSS')).map((s) => s.status)).toEqual(['already', 'already'])

    const dry = await uninstallCA({env, dryRun: true})
    expect(dry.steps.map((s) => s.status)).toEqual(['would', 'would'])
    expect(nssList(chromeDb)).toContain(nick)

    const removed = await uninstallCA({env})
    expect(removed.ok).toBe(true)
    expect(removed.steps.map((s) => s.status)).toEqual(['done', 'done'])
    expect(nssList(chromeDb)).not.toContain(nick)
    expect(nssList(profile)).not.toContain(nick)
    expect(JSON.parse(readFileSync(path.join(env.KINGRESS_HOME ?? '', 'trust.json'), 'utf8'))).toEqual({version: 1, installed: []})
    expect(await caTrustState({env})).toEqual({installed: false, where: []})

    const nothing = await uninstallCA({env})
    expect(nothing.steps[0]?.detail).toMatch(/^nothing to undo/)
  })

  it('without certutil, prints the exact commands instead', async () => {
    const {env} = sandbox()
    const report = await installCA({env: {...env, PATH: '/nonexistent'}})
    const text = renderTrustReport(report, env)
    expect(text).toContain('! NSS database ~/.pki/nssdb (Chrome/Chromium): certutil (NSS tools) is not installed')
    expect(text).toMatch(/\n {4}certutil -A -d sql:\S+\/home\/\.pki\/nssdb -t C,, -n 'kingress local CA \(.+\) [0-9a-f]{8}' -i \S+\/kingress\/ca\.pem/)
    expect(report.ok).toBe(true)
  })
})

describe('system store code path, against a temporary anchors folder', () => {
  it('copies the CA, runs the rebuild command, records it, and undoes it', async () => {
    const {dir, env} = sandbox()
    const anchors = path.join(dir, 'anchors')
    const log = path.join(dir, 'update.log')
    // A stand-in for update-ca-certificates that records its runs.
    const tool = path.join(dir, 'fake-update-ca-certificates')
    writeFileSync(tool, `#!/bin/sh\necho "ran $*" >> '${log}'\n/bin/ls '${anchors}' >> '${log}'\n`)
    chmodSync(tool, 0o755)
    const sysEnv = {...env, KINGRESS_SYSTEM_TRUST: '', KINGRESS_SYSTEM_ANCHOR_DIR: anchors, KINGRESS_SYSTEM_UPDATE_COMMAND: `${tool} --fresh`, PATH: '/nonexistent'}

    const report = await installCA({env: sysEnv})
    const ca = await loadCA(caPaths(env.KINGRESS_HOME ?? ''))
    if (ca === null) throw new Error('no CA')
    const file = path.join(anchors, `kingress-${ca.id}.crt`)
    expect(report.steps[0]).toMatchObject({status: 'done', detail: `copied the CA to ${file} and ran ${tool} --fresh`})
    expect(readFileSync(file, 'utf8')).toBe(ca.certPem)
    expect(readFileSync(log, 'utf8')).toBe(`ran --fresh\nkingress-${ca.id}.crt\n`)
    expect((await caTrustState({env: sysEnv})).where).toEqual([`system store (${anchors})`])

    expect((await installCA({env: sysEnv})).steps[0]?.status).toBe('already')

    const removed = await uninstallCA({env: sysEnv})
    expect(removed.steps[0]).toMatchObject({status: 'done', detail: `removed ${file} and ran ${tool} --fresh`})
    expect(existsSync(file)).toBe(false)
    expect(readFileSync(log, 'utf8')).toBe(`ran --fresh\nkingress-${ca.id}.crt\nran --fresh\n`)
  })

  it('a rebuild that fails is reported as a failure', async () => {
    const {dir, env} = sandbox()
    const sysEnv = {...env, KINGRESS_SYSTEM_TRUST: '', KINGRESS_SYSTEM_ANCHOR_DIR: path.join(dir, 'anchors'), KINGRESS_SYSTEM_UPDATE_COMMAND: '/bin/false', PATH: '/nonexistent'}
    const report = await installCA({env: sysEnv})
    expect(report.ok).toBe(false)
    expect(report.steps[0]?.detail).toMatch(/but \/bin\/false failed \(exit 1\)/)
  })

  it('on WSL, prints the Windows commands', async () => {
    const {env} = sandbox()
    const report = await installCA({env: {...env, WSL_DISTRO_NAME: 'Ubuntu', PATH: '/nonexistent'}})
    const wsl = report.steps.find((s) => s.target.startsWith('Windows certificate store'))
    expect(wsl?.status).toBe('manual')
    expect(wsl?.commands[1]).toMatch(/^certutil\.exe -user -addstore -f ROOT 'C:\\Users\\Public\\kingress-ca-[0-9a-f]{8}\.crt'$/)
  })
})

describe('kingress ca path (the built CLI)', () => {
  it('prints the CA path, creating the CA once', async (ctx) => {
    if (!existsSync(new URL('../../dist/commands/ca/path.js', import.meta.url))) {
      console.log('SKIPPED CLI test: dist/ is not built (npm run build)')
      ctx.skip()
    }
    const {env} = sandbox()
    const first = await runCli(['ca', 'path'], {env})
    expect(first.code).toBe(0)
    expect(first.stdout).toBe(`${env.KINGRESS_HOME}/ca.pem\n`)
    expect(first.stderr).toContain('Created the kingress local CA')
    const second = await runCli(['ca', 'path'], {env})
    expect(second.stdout).toBe(first.stdout)
    expect(second.stderr).not.toContain('Created')
  })
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
