import {extname} from 'node:path'
import {watch, type FSWatcher} from 'chokidar'

import {MANIFEST_EXTENSIONS} from '../manifests/load.js'

/**
 * Watches the manifest files and folders, and calls `onChange` once per burst of edits (editors
 * save by writing a temp file and renaming it: chokidar folds that into one change; the debounce
 * folds the rest). Calls never overlap: a change during a reload runs one more reload after it.
 */
export class ManifestWatcher {
  private readonly watcher: FSWatcher
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private pending = false
  private closed = false
  readonly ready: Promise<void>

  constructor(
    inputs: readonly string[],
    private readonly onChange: () => Promise<unknown>,
    private readonly debounceMs = 60,
  ) {
    this.watcher = watch([...inputs], {ignoreInitial: true, atomic: true, depth: 0, persistent: true})
    this.ready = new Promise((resolve) => this.watcher.once('ready', () => resolve()))
    this.watcher.on('all', (_event, path) => {
      if (MANIFEST_EXTENSIONS.has(extname(path).toLowerCase()) || extname(path) === '') this.schedule()
    })
    this.watcher.on('error', () => this.schedule())
  }

  private schedule(): void {
    if (this.closed) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      this.fire()
    }, this.debounceMs)
  }

  private fire(): void {
    if (this.running) {
      this.pending = true
      return
    }
    this.running = this.onChange()
      .catch(() => {})
      .then(() => {
        this.running = null
        if (this.pending && !this.closed) {
          this.pending = false
          this.fire()
        }
      })
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    await this.watcher.close()
    await this.running
  }
}
