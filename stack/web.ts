/**
 * The web server: Next.js (the production build in .next) behind Node's own HTTP server, so
 * that the Payment Server's token calls can skip Next.js's per-request work.
 * `instrumentation.ts` registers that fast path (lib/server/payment/fastPath.ts) when Next.js
 * starts; every other request, and every request before it is registered, goes to Next.js.
 * The web role (`npm run start:web`, stack/roles/web.ts) runs it, alone or as `npm start`'s child.
 */
import { createServer } from 'node:http'
import next from 'next'
import { errorText } from '../lib/errorText'
import { env } from '../lib/server/env'
import { CLIENT_ADDRESS_HEADER } from '../lib/server/http/body'
import { createLogger } from '../lib/server/log'
import { registeredFastPath, registeredShutdown } from '../lib/server/payment/webHooks'

/**
 * Serves the production build in `<root>/.next` on hostname:port until SIGTERM or SIGINT, which
 * close the server, give the Payment Server's request counts back and exit 0.
 */
export async function serveWeb({ root, hostname, port }: { root: string; hostname: string; port: number }) {
  const app = next({ dev: false, hostname, port, dir: root })
  const log = createLogger({ level: env().LOG_LEVEL, component: 'web' })
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
  server.once('error', (error) => {
    log.error(
      `the web server cannot listen on ${hostname}:${port} (${errorText(error)}); stop what holds it or set HOST and PORT`,
    )
    process.exit(1)
  })
  server.listen(port, hostname, () => {
    log.info(
      `web server on http://${hostname}:${port} (Payment Server fast path ${registeredFastPath() ? 'on' : 'registered on first request'})`,
    )
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.close()
      server.closeAllConnections()
      // The Payment Server gives back the request counts it took ahead (a few statements).
      const shutdown = registeredShutdown()?.().catch((error: unknown) => {
        log.error(`Payment Server shutdown failed: ${errorText(error)}`)
      })
      void Promise.all([shutdown, app.close()]).finally(() => process.exit(0))
    })
  }
}
