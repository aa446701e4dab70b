import {existsSync, mkdirSync} from 'node:fs'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import path from 'node:path'

import {chromium} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CertificateStore} from '../../src/tls/store.js'
import {findExecutable} from '../../src/tls/trust/exec.js'
import {installCA, uninstallCA} from '../../src/tls/trust/index.js'
import {tempDir, tempEnv} from './helpers.js'

/** Debian's chromium (never a downloaded browser), and certutil for the NSS database it reads. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null
const missing = CHROMIUM === null ? 'chromium is not installed (apt-get install chromium)' : findExecutable('certutil') === null ? 'certutil is not installed (apt-get install libnss3-tools)' : null
// .ci/run installs both: in CI a missing browser must fail, not skip.
const skip = missing !== null && process.env.CI !== 'true'
if (skip) console.log(`SKIPPED browser trust test: ${missing}`)

describe.skipIf(skip)('Chromium trusts the CA after `ca install` (real browser, real NSS database)', () => {
  let root: {dir: string; cleanup: () => void}
  let env: NodeJS.ProcessEnv
  let server: https.Server
  let port: number

  beforeAll(async () => {
    root = tempDir()
    env = tempEnv(root.dir)
    mkdirSync(env.HOME ?? '', {recursive: true})
    const set = await new CertificateStore({env}).certificatesFor([{host: 'blue.example.com', tls: true}, {host: '*.example.com', tls: true}])
    server = https.createServer({cert: set.defaultEntry.certPem, key: set.defaultEntry.keyPem, SNICallback: set.SNICallback}, (req, res) => {
      res.setHeader('content-type', 'text/html')
      res.end(`<title>ok</title><p id="host">${req.headers.host ?? ''}</p>`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    root?.cleanup()
  })

  /** A fresh Chromium with HOME pointing at the sandbox (it reads $HOME/.pki/nssdb at startup); the error text or null. */
  async function visit(...hosts: string[]): Promise<{error: string | null; text: string | null}[]> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM ?? '',
      env: {...process.env, HOME: env.HOME ?? ''},
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--host-resolver-rules=MAP *.example.com 127.0.0.1`],
    })
    try {
      const page = await browser.newPage()
      const results: {error: string | null; text: string | null}[] = []
      for (const host of hosts) {
        try {
          await page.goto(`https://${host}:${port}/`, {timeout: 15_000})
          results.push({error: null, text: await page.textContent('#host')})
        } catch (error) {
          results.push({error: (error as Error).message, text: null})
        }
      }
      return results
    } finally {
      await browser.close()
    }
  }

  it('refuses the certificate before, accepts exact and wildcard hosts after, refuses again after uninstall', async () => {
    const [before] = await visit('blue.example.com')
    expect(before?.error).toMatch(/ERR_CERT_AUTHORITY_INVALID/)

    const report = await installCA({env})
    expect(report.ok).toBe(true)
    expect(existsSync(path.join(env.HOME ?? '', '.pki', 'nssdb', 'cert9.db'))).toBe(true)

    const [blue, green, deep] = await visit('blue.example.com', 'green.example.com', 'a.b.example.com')
    expect(blue).toEqual({error: null, text: `blue.example.com:${port}`})
    expect(green).toEqual({error: null, text: `green.example.com:${port}`})
    // Not covered by *.example.com: the default certificate, which names only localhost.
    expect(deep?.error).toMatch(/ERR_CERT_COMMON_NAME_INVALID/)

    await uninstallCA({env})
    const [after] = await visit('blue.example.com')
    expect(after?.error).toMatch(/ERR_CERT_AUTHORITY_INVALID/)
  }, 90_000)
})
