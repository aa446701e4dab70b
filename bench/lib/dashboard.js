// `kingress up` drawing its dashboard in a 120x40 tmux pseudo-terminal (as on a developer's
// terminal: CI unset), so the cost of rendering under load is measured against --no-dashboard.
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {upArgs} from './kingress.js'
import {freePort, probe, sleep, waitFor} from './proc.js'

function quote(word) {
  return `'${word.replaceAll("'", "'\\''")}'`
}

/** The pid of the node process serving `--http-port port` (inside tmux's shell). */
function pidServing(port) {
  const out = execFileSync('pgrep', ['-f', '--', `--http-port ${port} `], {encoding: 'utf8'}).trim().split('\n')
  // Node names its main thread `MainThread` (24) or `node` (older): the process whose argv[0] is node is the one.
  return Number(out.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath))
}

/** Runs `measure(port, pid)` while the dashboard is on screen; tears tmux down after. */
export async function withDashboard({root, home, manifests, upstreamPort, host}, measure) {
  const port = await freePort()
  const session = `kingress-bench-${process.pid}`
  const command = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', 'NODE_ENV=production', 'TERM=xterm-256color', `KINGRESS_HOME=${home}`, process.execPath, join(root, 'bin', 'run.js'), ...upArgs(root, manifests, port, await freePort(), upstreamPort)].map(quote).join(' ')
  execFileSync('tmux', ['-L', session, 'new-session', '-d', '-s', session, '-x', '120', '-y', '40', command])
  try {
    await waitFor(port, host)
    await sleep(1000)
    const screen = execFileSync('tmux', ['-L', session, 'capture-pane', '-p', '-t', session], {encoding: 'utf8'})
    if (!screen.includes('Routes')) throw new Error(`the dashboard is not on screen:\n${screen}`)
    return await measure(port, pidServing(port))
  } finally {
    try {
      execFileSync('tmux', ['-L', session, 'send-keys', '-t', session, 'q'])
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline && (await probe(port, host)) !== null) await sleep(100)
    } catch {
      // already gone
    }
    try {
      execFileSync('tmux', ['-L', session, 'kill-server'], {stdio: 'ignore'})
    } catch {
      // no server left
    }
  }
}
