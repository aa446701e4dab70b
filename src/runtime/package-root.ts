import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The folder of kingress's package.json, found from this module (works from src/, dist/ and a global install). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from)
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as {name?: unknown}).name === 'kingress') return dir
      } catch {
        // Not ours; keep looking.
      }
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`kingress: cannot find the package root above ${from}`)
    dir = parent
  }
}
