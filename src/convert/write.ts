import {randomBytes} from 'node:crypto'
import {mkdir, open, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'

import type {Commented} from './objects.js'
import {objectYaml} from './render.js'

/** `DIR/<kind>-<namespace>-<name>.yaml` for each object; each file whole or not at all (temp file, fsync, rename). */
export async function writeObjects(dir: string, objects: readonly Commented[]): Promise<string[]> {
  await mkdir(dir, {recursive: true})
  const written: string[] = []
  for (const item of objects) {
    const {kind, metadata} = item.object
    const file = join(dir, `${kind.toLowerCase()}-${metadata.namespace}-${metadata.name}.yaml`)
    await writeWhole(file, objectYaml(item))
    written.push(file)
  }
  return written
}

async function writeWhole(file: string, text: string): Promise<void> {
  const temp = `${file}.kingress-${randomBytes(4).toString('hex')}.tmp`
  try {
    const handle = await open(temp, 'wx', 0o644)
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}
