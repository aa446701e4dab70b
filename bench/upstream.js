// The benchmark's upstream: node:http answering every request with the same 100-byte body.
import {createServer} from 'node:http'

const body = Buffer.alloc(100, 'k')
body.write('kingress bench\n')
const server = createServer({keepAliveTimeout: 65_000}, (req, res) => {
  res.writeHead(200, {'content-type': 'text/plain', 'content-length': body.length})
  res.end(body)
})
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`)
})
process.on('SIGTERM', () => process.exit(0))
