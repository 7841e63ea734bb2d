import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestChain, type TestChain } from '../test/kit/chain'
import { ANVIL_KEYS } from './anvil'
import { checkExampleFunder, StartError } from './preflight'

/*
 * EXAMPLE=on with RPC_URL: the example network pays its services' ether from EXAMPLE_FUNDER_KEY's
 * account, so the start checks the key is there and its account can pay before anything starts.
 */

let t: TestChain
beforeAll(async () => {
  t = await startTestChain()
})
afterAll(() => t.stop())

describe('checkExampleFunder()', () => {
  it('checkExampleFunder() stops without EXAMPLE_FUNDER_KEY, naming it and what to do', async () => {
    const refused = checkExampleFunder({ rpcUrl: t.url, funderKey: undefined })
    await expect(refused).rejects.toBeInstanceOf(StartError)
    await expect(refused).rejects.toThrow(
      "EXAMPLE=on with RPC_URL needs EXAMPLE_FUNDER_KEY, the private key of an account that gives the example services their ether (1 ETH for each of its 7 services' accounts, plus gas); set it, or set EXAMPLE=off.",
    )
  })

  it('checkExampleFunder() stops when the funder cannot pay one service, naming its address and never its key', async () => {
    const key = generatePrivateKey()
    const { address } = privateKeyToAccount(key)
    const refused = await checkExampleFunder({ rpcUrl: t.url, funderKey: key }).catch((e: Error) => e)
    expect(refused).toBeInstanceOf(StartError)
    expect((refused as Error).message).toBe(
      `EXAMPLE_FUNDER_KEY's account ${address} holds 0 ETH on the chain of RPC_URL, and the example network needs 1 ETH for each of its 7 services' accounts, plus gas; send it ether, or set EXAMPLE=off.`,
    )
    expect((refused as Error).message).not.toContain(key.slice(2))
  })

  it('checkExampleFunder() passes a funder whose account holds ether', async () => {
    await expect(checkExampleFunder({ rpcUrl: t.url, funderKey: ANVIL_KEYS[9] })).resolves.toBeUndefined()
  })
})
