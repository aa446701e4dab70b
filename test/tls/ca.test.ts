import {statSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'

import forge from 'node-forge'
import {afterEach, describe, expect, it} from 'vitest'

import {caPaths, loadCA, loadOrCreateCA} from '../../src/tls/ca.js'
import {writeFileAtomic} from '../../src/tls/files.js'
import {kingressHome} from '../../src/tls/home.js'
import {tempDir} from './helpers.js'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))
function home(): string {
  const t = tempDir()
  cleanups.push(t.cleanup)
  return path.join(t.dir, 'kingress')
}

describe('kingressHome', () => {
  it('follows KINGRESS_HOME, then the platform data directory', () => {
    expect(kingressHome({KINGRESS_HOME: '/x/k', HOME: '/h'}, 'linux')).toBe('/x/k')
    expect(kingressHome({HOME: '/h'}, 'linux')).toBe('/h/.local/share/kingress')
    expect(kingressHome({HOME: '/h', XDG_DATA_HOME: '/xdg'}, 'linux')).toBe('/xdg/kingress')
    expect(kingressHome({HOME: '/h', XDG_DATA_HOME: 'relative'}, 'linux')).toBe('/h/.local/share/kingress')
    expect(kingressHome({HOME: '/Users/a'}, 'darwin')).toBe('/Users/a/Library/Application Support/kingress')
    expect(kingressHome({HOME: '/h', LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local'}, 'win32')).toContain('kingress')
  })
})

describe('local CA', () => {
  it('is created once, then reused', async () => {
    const dir = home()
    const first = await loadOrCreateCA({home: dir, env: {USER: 'ana'}})
    expect(first.created).toBe(true)
    const second = await loadOrCreateCA({home: dir})
    expect(second.created).toBe(false)
    expect(second.fingerprint).toBe(first.fingerprint)
    expect(await readFile(caPaths(dir).cert, 'utf8')).toBe(first.certPem)
  })

  it('creates the CA once when two callers race', async () => {
    const dir = home()
    const cas = await Promise.all([loadOrCreateCA({home: dir}), loadOrCreateCA({home: dir}), loadOrCreateCA({home: dir})])
    expect(new Set(cas.map((c) => c.fingerprint)).size).toBe(1)
    expect(cas.filter((c) => c.created)).toHaveLength(1)
  })

  it('keeps the key 0600 in a 0700 folder', async () => {
    const dir = home()
    await loadOrCreateCA({home: dir})
    expect(statSync(caPaths(dir).key).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })

  it('is a CA limited to issuing leaves, named for kingress and its owner, valid ~10 years', async () => {
    const ca = await loadOrCreateCA({home: home(), env: {USER: 'ana'}})
    expect(ca.cert.ca).toBe(true)
    expect(ca.commonName).toMatch(/^kingress local CA \(ana@.+\)$/)
    expect(ca.cert.subject).toContain('O=kingress development CA')
    expect(ca.cert.verify(ca.cert.publicKey)).toBe(true)
    const years = (new Date(ca.cert.validTo).getTime() - Date.now()) / (365.25 * 86_400_000)
    expect(years).toBeGreaterThan(9.9)
    expect(years).toBeLessThan(10.1)

    const f = forge.pki.certificateFromPem(ca.certPem)
    const bc = f.getExtension('basicConstraints') as {cA: boolean; pathLenConstraint: number; critical: boolean}
    expect(bc).toMatchObject({cA: true, pathLenConstraint: 0, critical: true})
    const ku = f.getExtension('keyUsage') as Record<string, boolean>
    expect(ku).toMatchObject({keyCertSign: true, cRLSign: true, critical: true})
    expect(ku.digitalSignature).toBeFalsy()
    expect(f.getExtension('subjectKeyIdentifier')).toBeTruthy()
    expect((ca.privateKey.asymmetricKeyDetails?.modulusLength)).toBe(2048)
  })

  it('says which file is damaged instead of silently replacing a trusted CA', async () => {
    const dir = home()
    await loadOrCreateCA({home: dir})
    const other = await loadOrCreateCA({home: home()})
    await writeFileAtomic(caPaths(dir).key, other.privateKey.export({type: 'pkcs8', format: 'pem'}).toString(), 0o600)
    await expect(loadCA(caPaths(dir))).rejects.toThrow(/ca-key\.pem does not belong to the certificate/)
    await writeFileAtomic(caPaths(dir).cert, 'garbage', 0o644)
    await expect(loadOrCreateCA({home: dir})).rejects.toThrow(/ca\.pem cannot be read/)
  })
})
