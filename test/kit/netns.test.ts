import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestNetwork, netnsUnavailable, type TestNetwork } from './netns'

/*
 * The multi-host kit itself: hosts reach each other and the test process by address, a host
 * cut off the network is unreachable (its packets are lost, not refused) until reconnected.
 */
const unavailable = await netnsUnavailable()

describe.skipIf(unavailable !== null)(
  `test network of namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let net: TestNetwork
    beforeAll(async () => {
      net = await createTestNetwork(['a', 'b'], 78)
    })
    afterAll(async () => {
      await net?.destroy()
    })

    it('gives each host its own address, reachable from the others and from the test process', async () => {
      const { a, b } = net.hosts as Record<'a' | 'b', NonNullable<TestNetwork['hosts'][string]>>
      expect([a.address, b.address]).toEqual(['10.78.0.2', '10.78.0.3'])
      expect(await a.run('ip', ['-4', '-o', 'addr', 'show', 'eth0'])).toContain('10.78.0.2/24')
      // A server on b, reached from a and from the test process (outside every namespace).
      const server = b.spawn({
        command: process.execPath,
        args: ['-e', "require('http').createServer((q,s)=>s.end('from b')).listen(8080,'10.78.0.3')"],
      })
      const fetchFrom = async () => {
        for (let i = 0; i < 50; i++) {
          try {
            return await (await fetch('http://10.78.0.3:8080', { signal: AbortSignal.timeout(2_000) })).text()
          } catch {
            await new Promise((r) => setTimeout(r, 100))
          }
        }
        return 'unreachable'
      }
      expect(await fetchFrom()).toBe('from b')
      expect(
        await a.run(process.execPath, [
          '-e',
          "fetch('http://10.78.0.3:8080').then(r=>r.text()).then(t=>process.stdout.write(t))",
        ]),
      ).toBe('from b')
      // Loopback inside a host is its own: nothing listens on a's 127.0.0.1:8080.
      await expect(
        a.run(process.execPath, [
          '-e',
          "fetch('http://127.0.0.1:8080').then(()=>process.exit(0),()=>process.exit(3))",
        ]),
      ).rejects.toThrow()

      await b.cut()
      const lost = await fetch('http://10.78.0.3:8080', { signal: AbortSignal.timeout(1_500) }).then(
        () => 'answered',
        (error: Error) => error.name,
      )
      expect(lost).toBe('TimeoutError') // lost, not refused
      await b.reconnect()
      expect(await fetchFrom()).toBe('from b')
      await server.stop()
    })
  },
)
