import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Secret} from '../../src/manifests/model.js'
import {snapshotOf} from '../support/manifests.js'

/** A fresh folder under the OS temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'kingress-tls-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** An environment whose HOME and KINGRESS_HOME are temp folders, and which never touches the real system store. */
export function tempEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: path.join(dir, 'home'),
    KINGRESS_HOME: path.join(dir, 'kingress'),
    KINGRESS_SYSTEM_TRUST: 'skip',
    WSL_DISTRO_NAME: '',
    WSL_INTEROP: '',
  }
}

/**
 * A Secret as the manifest loader produces it from YAML: `data` values base64-encoded in the file,
 * decoded by the loader (so these tests also cover that path).
 */
export function tlsSecret(name: string, data: Record<string, string>, type = 'kubernetes.io/tls', namespace = 'default'): Secret {
  const lines = ['apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`, `type: ${type}`, 'data:']
  for (const [k, v] of Object.entries(data)) lines.push(`  ${k}: ${Buffer.from(v).toString('base64')}`)
  if (Object.keys(data).length === 0) lines[lines.length - 1] = 'data: {}'
  const {snapshot, diagnostics} = snapshotOf(lines.join('\n') + '\n', 'secrets.yaml')
  const secret = snapshot.secrets[0]
  if (secret === undefined) throw new Error(`no Secret decoded: ${JSON.stringify(diagnostics)}`)
  return secret
}
