// 10,000 idle keep-alive connections held open against a server, from a child process (its own
// file-descriptor budget), for as long as `measure` takes.
import {join} from 'node:path'

import {start, stop} from './proc.js'

export async function withIdleConnections(root, {port, host, count}, measure) {
  const child = start(process.execPath, [join(root, 'bench', 'lib', 'idle-client.js'), String(port), String(count), host, '60000'], {stdio: ['pipe', 'pipe', 'inherit']})
  const line = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(out.trim())
    })
    child.on('exit', () => reject(new Error(`the idle-connection client exited early: ${out}`)))
  })
  const [, opened, failed] = line.split(' ').map(Number)
  try {
    return {opened, failed, ...(await measure())}
  } finally {
    await stop(child)
  }
}
