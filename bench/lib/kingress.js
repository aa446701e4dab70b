// `kingress up --no-dashboard` as the bench runs it: its access log on (to /dev/null, so every
// request line is still built and written), certificates in a throw-away KINGRESS_HOME.
import {openSync} from 'node:fs'
import {join} from 'node:path'

import {freePort, start, waitFor} from './proc.js'

export function upArgs(root, manifests, port, httpsPort, upstreamPort) {
  return ['up', ...manifests, '--http-port', String(port), '--https-port', String(httpsPort), '--bind', '127.0.0.1', '--backend', `bench-svc=127.0.0.1:${upstreamPort}`, '--no-docker']
}

/** Starts `kingress up` and waits until `host` answers 200 on its HTTP port (bounded). */
export async function startKingress({root, home, manifests, upstreamPort, host, path = '/', nodeArgs = [], env = {}, waitMs = 60_000}) {
  const port = await freePort()
  const httpsPort = await freePort()
  const devNull = openSync('/dev/null', 'w')
  const child = start(process.execPath, [...nodeArgs, join(root, 'bin', 'run.js'), ...upArgs(root, manifests, port, httpsPort, upstreamPort), '--no-dashboard'], {
    stdio: ['ignore', devNull, 'pipe'],
    env: {...process.env, NODE_ENV: 'production', KINGRESS_HOME: home, ...env},
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  try {
    await waitFor(port, host, waitMs, path)
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`kingress did not start: ${error.message}\n${stderr}`)
  }
  return {child, pid: child.pid, port, httpsPort}
}
