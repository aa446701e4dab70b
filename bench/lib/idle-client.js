// Child of the bench: opens `count` keep-alive connections to 127.0.0.1:port, sends one request on
// each, reads its answer, then leaves them open and idle. Prints `open <n> <failed>` when done and
// closes everything on SIGTERM or when stdin ends. Bounded: gives up opening after `limitMs`.
import {connect} from 'node:net'

const [port, count, host, limitMs] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4], Number(process.argv[5] ?? 60_000)]
const CONCURRENCY = 200
const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
const sockets = []
let opened = 0
let failed = 0
let next = 0
const deadline = Date.now() + limitMs

function openOne() {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port})
    let seen = ''
    const done = (ok) => {
      socket.removeAllListeners('data')
      if (ok) opened++
      else failed++
      resolve()
    }
    socket.setTimeout(10_000, () => {
      socket.destroy()
      done(false)
    })
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write(request))
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1')
      // The bench upstream answers 100 bytes with a Content-Length: the head and that many bytes.
      const end = seen.indexOf('\r\n\r\n')
      if (end !== -1 && seen.length - end - 4 >= 100) {
        socket.setTimeout(0)
        done(seen.startsWith('HTTP/1.1 200'))
      }
    })
    sockets.push(socket)
  })
}

async function worker() {
  while (next < count && Date.now() < deadline) {
    next++
    await openOne()
  }
}

await Promise.all(Array.from({length: CONCURRENCY}, worker))
process.stdout.write(`open ${opened} ${failed}\n`)
const close = () => {
  for (const s of sockets) s.destroy()
  process.exit(0)
}
process.on('SIGTERM', close)
process.stdin.on('end', close)
process.stdin.resume()
