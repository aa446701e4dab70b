import {execFileSync, spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'

/** A tmux server on its own socket, for driving a program in a real pseudo-terminal. */
export class Tmux {
  readonly socket = `kingress-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

  static available(): boolean {
    return spawnSync('tmux', ['-V'], {stdio: 'ignore'}).status === 0
  }

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  }

  /** A session running an interactive bash with a plain prompt, `columns`×`rows`. */
  start(session: string, cwd: string, columns = 100, rows = 30): void {
    this.run('-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', cwd, 'env', 'PS1=tmux$ ', 'bash', '--norc', '--noprofile', '-i')
  }

  /** Types `text` literally, then presses Enter. */
  type(session: string, text: string): void {
    this.run('send-keys', '-t', session, '-l', text)
    this.run('send-keys', '-t', session, 'Enter')
  }

  keys(session: string, ...keys: string[]): void {
    this.run('send-keys', '-t', session, ...keys)
  }

  capture(session: string): string {
    return this.run('capture-pane', '-p', '-t', session)
  }

  /** `#{alternate_on}`, `#{cursor_flag}`… */
  format(session: string, format: string): string {
    return this.run('display-message', '-p', '-t', session, format).trim()
  }

  /** Polls the screen until `test` passes; throws with the last screen after `timeoutMs`. */
  async waitFor(session: string, test: (screen: string) => boolean, timeoutMs = 15_000, what = 'screen condition'): Promise<string> {
    const deadline = Date.now() + timeoutMs
    let screen = ''
    while (Date.now() < deadline) {
      screen = this.capture(session)
      if (test(screen)) return screen
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${screen}`)
  }

  /** Kills the server and removes its socket file (tmux leaves it behind). */
  kill(): void {
    const path = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], {encoding: 'utf8'}).stdout?.trim()
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], {stdio: 'ignore'})
    if (path && path.endsWith(this.socket)) rmSync(path, {force: true})
  }
}
