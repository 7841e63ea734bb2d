/**
 * The web server `npm start` runs: Next.js (the production build in .next) behind Node's own
 * HTTP server, so that the Payment Server's token calls can skip Next.js's per-request work.
 * `instrumentation.ts` registers that fast path (lib/server/payment/fastPath.ts) when Next.js
 * starts; every other request, and every request before it is registered, goes to Next.js.
 *
 * Usage: node --import tsx stack/web.ts --hostname 127.0.0.1 --port 3000
 */
import { createServer } from 'node:http'
import path from 'node:path'
import { parseArgs } from 'node:util'
import next from 'next'
import { CLIENT_ADDRESS_HEADER } from '../lib/server/http/body'
import { registeredFastPath, registeredShutdown } from '../lib/server/payment/webHooks'

// What `next start` shows too; stack/orphans finds a web server left running by it.
process.title = 'next-server (stack/web.ts)'

const { values } = parseArgs({
  options: { hostname: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '3000' } },
})
const hostname = values.hostname as string
const port = Number(values.port)
const app = next({ dev: false, hostname, port, dir: path.resolve(import.meta.dirname, '..') })
const handle = app.getRequestHandler()
await app.prepare()

const server = createServer((req, res) => {
  if (registeredFastPath()?.(req, res)) return
  // Next.js's routes learn the client's address from this header (a client's own is replaced).
  const address = req.socket.remoteAddress
  if (address) req.headers[CLIENT_ADDRESS_HEADER] = address
  else delete req.headers[CLIENT_ADDRESS_HEADER]
  void handle(req, res)
})
server.listen(port, hostname, () => {
  console.log(
    `web server on http://${hostname}:${port} (Payment Server fast path ${registeredFastPath() ? 'on' : 'registered on first request'})`,
  )
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close()
    server.closeAllConnections()
    // The Payment Server gives back the request counts it took ahead (a few statements).
    const shutdown = registeredShutdown()?.().catch((error: unknown) => {
      console.error(`Payment Server shutdown failed: ${error instanceof Error ? error.message : error}`)
    })
    void Promise.all([shutdown, app.close()]).finally(() => process.exit(0))
  })
}
