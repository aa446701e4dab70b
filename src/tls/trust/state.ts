import {promises as fs} from 'node:fs'

import {ensurePrivateDir, readIfExists, writeFileAtomic} from '../files.js'
import path from 'node:path'

/** One place the CA was put into, recorded so `kingress ca uninstall` undoes exactly that. */
export type TrustRecord =
  | {readonly kind: 'system'; readonly store: string; readonly file: string; readonly update: readonly string[]; readonly fingerprint: string; readonly at: string}
  | {readonly kind: 'nss'; readonly dir: string; readonly label: string; readonly nickname: string; readonly createdDb: boolean; readonly fingerprint: string; readonly at: string}
  | {readonly kind: 'macos-keychain'; readonly keychain: string; readonly sha1: string; readonly fingerprint: string; readonly at: string}
  | {readonly kind: 'windows'; readonly store: string; readonly sha1: string; readonly fingerprint: string; readonly at: string}

export interface TrustFile {
  readonly version: 1
  readonly installed: readonly TrustRecord[]
}

export async function readTrustFile(file: string): Promise<TrustFile> {
  const text = await readIfExists(file)
  if (text === null) return {version: 1, installed: []}
  try {
    const parsed = JSON.parse(text) as Partial<TrustFile>
    return {version: 1, installed: Array.isArray(parsed.installed) ? parsed.installed : []}
  } catch {
    // A damaged record must not stop install/uninstall; keep it aside for a human.
    await fs.rename(file, `${file}.damaged`).catch(() => {})
    return {version: 1, installed: []}
  }
}

export async function writeTrustFile(file: string, state: TrustFile): Promise<void> {
  await ensurePrivateDir(path.dirname(file))
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n', 0o644)
}

export function sameRecord(a: TrustRecord, b: TrustRecord): boolean {
  if (a.kind !== b.kind || a.fingerprint !== b.fingerprint) return false
  switch (a.kind) {
    case 'system':
      return b.kind === 'system' && a.file === b.file
    case 'nss':
      return b.kind === 'nss' && a.dir === b.dir && a.nickname === b.nickname
    case 'macos-keychain':
      return b.kind === 'macos-keychain' && a.keychain === b.keychain
    case 'windows':
      return b.kind === 'windows' && a.store === b.store
  }
}
