/** The benchmarks' keep-alive JSON POST client (node:http), with an API key as Bearer. */
import http from 'node:http'

export type Answer = { status: number; body: string }

/** A keep-alive JSON POST client with at most `sockets` connections (further calls wait for one). */
export function client(url: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets })
  const base = new URL(url)
  return {
    post(path: string, key: string, body: string): Promise<Answer> {
      return new Promise((resolve) => {
        const req = http.request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            path,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              authorization: `Bearer ${key}`,
            },
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            )
            res.on('error', () => resolve({ status: 0, body: 'response error' }))
          },
        )
        req.on('error', (error) => resolve({ status: 0, body: error.message }))
        req.end(body)
      })
    },
    close: () => agent.destroy(),
  }
}
