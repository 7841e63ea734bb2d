import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Hex } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { type BudgetEdit, budgetEditBody } from '../../budgets/api'
import { budgetEditTypedData } from '../../budgets/edit'
import type { CostsTestbed } from '../costs/testing'
import { DEFAULT_DELIVERY, type DeliverySettings } from './deliver'
import { saveBudgetEdit } from './store'

/*
 * The budgets suites' shared setup: a local webhook receiver that records every call and
 * answers as told, and edits made with the admin key or an admin wallet's signature.
 */

/** One call a receiver got: its path, headers and JSON body. */
export type Received = { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }

/** How the receiver answers the next calls: a status (302 redirects to /elsewhere), or never. */
export type ReceiverMode = { status: number } | 'hang'

/** A webhook receiver on 127.0.0.1: `calls` in arrival order, `answer()` to change its answer. */
export async function startReceiver() {
  const calls: Received[] = []
  let mode: ReceiverMode = { status: 200 }
  const hanging = new Set<http.ServerResponse>()
  const server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (c) => {
      text += c
    })
    req.on('end', () => {
      calls.push({ path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : {} })
      if (mode === 'hang') {
        hanging.add(res)
        return
      }
      if (mode.status >= 300 && mode.status < 400) res.writeHead(mode.status, { location: '/elsewhere' })
      else res.writeHead(mode.status, { 'content-type': 'text/plain' })
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    /** A secret-looking webhook URL on this receiver. */
    url: (secret = 'T0/B0/s3cr3t-w3bh00k-k3y') => `${base}/hooks/${secret}`,
    calls,
    answer(next: ReceiverMode) {
      mode = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>

/** Delivery settings for tests: short timeout, no wait before a retry, every due delivery sent. */
export const testDelivery = (overrides: Partial<DeliverySettings> = {}): DeliverySettings => ({
  ...DEFAULT_DELIVERY,
  timeoutMs: 500,
  backoffMs: 0,
  // A loaded test machine must not leave a due delivery for a later round.
  roundBudgetMs: 60_000,
  // The receiver is on 127.0.0.1.
  allowPrivateAddresses: true,
  ...overrides,
})

/** A POST to the edits route, with headers (the admin key's or none). */
export const editRequest = (headers: Record<string, string> = {}) =>
  new Request('http://x/api/budgets/edits', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
  })

/** Edits as the suites make them: with the admin key, or signed by `by`. */
export function budgetEditor(bed: CostsTestbed, adminKey: string) {
  const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000))
  return {
    /** Applies `edit` with the team admin key. */
    byKey: (edit: unknown) =>
      saveBudgetEdit({
        ctx: bed.ctx,
        request: editRequest({ authorization: `Bearer ${adminKey}` }),
        body: budgetEditBody.parse({ edit }),
        allowPrivateWebhooks: true,
      }),
    /** The body an admin wallet's UI posts for `edit`. */
    async signed(edit: BudgetEdit, by: PrivateKeyAccount, expiresAt = nowSeconds() + 300n) {
      const parsed = budgetEditBody.parse({ edit }).edit
      const signature: Hex = await by.signTypedData(
        budgetEditTypedData({ chainId: bed.chainId, factory: bed.factory, edit: parsed, expiresAt }),
      )
      return budgetEditBody.parse({ edit, expiresAt: expiresAt.toString(), signature })
    },
    /** Applies a signed body. */
    apply: (body: ReturnType<typeof budgetEditBody.parse>) =>
      saveBudgetEdit({ ctx: bed.ctx, request: editRequest(), body, allowPrivateWebhooks: true }),
  }
}
