import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PaymentCores, startPaymentCores, testSettings } from '../../../../test/kit/payment'
import { accept } from '../testing'

/*
 * The leader's duties (the alerts' webhook deliveries) beside the channels' rounds, on real
 * Postgres and anvil: a webhook that accepts the connection and never answers must not hold a
 * redemption back, and stop() cuts such a duty short instead of waiting for it.
 */

let cores: PaymentCores

beforeAll(async () => {
  cores = await startPaymentCores()
})
afterAll(() => cores?.stop())

/** A TCP server that accepts every connection and never writes a byte. */
async function blackHole() {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => void sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

describe('leader duties', () => {
  it('a black-holed webhook does not delay a redemption round, and stop() does not wait for it', async () => {
    const hole = await blackHole()
    const t = await cores.core(undefined, testSettings({ redeemValue: 1n }))
    try {
      const started: string[] = []
      let ended = false
      t.server.runner.addDuty({
        name: 'dead webhook',
        async run(signal) {
          started.push('send')
          // As a delivery does: a POST that waits for its answer (here with no timeout at all).
          await fetch(hole.url, { method: 'POST', body: '{}', signal }).catch(() => {})
          ended = true
        },
      })
      t.server.runner.start()
      while (hole.sockets.size === 0) await sleep(20)

      // The duty now hangs; a redemption becomes due and the next rounds must still make it.
      const alice = (await t.service('alice')).service
      const bob = (await t.service('bob')).service
      const channel = await t.channel(alice, bob, { deposit: 1_000_000n, costPerRequest: 1_000n })
      await accept(t, channel, alice, bob, 10)
      while ((await cores.testbed.state(channel.address)).expiringTokenId !== 1n) await sleep(50)

      expect(started).toEqual(['send'])
      expect(ended).toBe(false)
      await t.server.runner.stop()
      expect(ended).toBe(true)
    } finally {
      await hole.close()
    }
  })
})
