import { type Address, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryFactoryAbi } from '../../contracts/generated'
import { type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'
import { contractErrorOf } from '../contractErrors'
import {
  MAX_TIMEOUT_SECONDS,
  type OpenChannelArgs,
  type OpenChannelInput,
  validateOpenChannel,
} from './openChannel'
import { seconds, wei } from './testing'

/*
 * The open-channel form's checks on a real anvil: the same verdict as the factory's own `open`
 * (each refused field's sentence: openChannel.test.ts).
 */

describe('validateOpenChannel against the deployed factory', () => {
  let t: ChannelTestbed

  beforeAll(async () => {
    t = await startChannelTestbed()
  })
  afterAll(async () => t?.stop())

  /** What the factory's `open` does with these arguments from the consumer: null when it succeeds. */
  async function simulateOpen(args: readonly [Address, bigint, bigint, bigint], value = 0n) {
    try {
      const { result } = await t.publicClient.simulateContract({
        account: t.consumer,
        address: t.factory,
        abi: intermediaryFactoryAbi,
        functionName: 'open',
        args,
        value,
      })
      expect(result).toMatch(/^0x[0-9a-fA-F]{40}$/)
      return null
    } catch (error) {
      const decoded = contractErrorOf(error)
      if (!decoded) throw error
      return decoded.name
    }
  }

  it('MAX_TIMEOUT_SECONDS equals the deployed factory MAX_TIMEOUT()', async () => {
    const max = await t.publicClient.readContract({
      address: t.factory,
      abi: intermediaryFactoryAbi,
      functionName: 'MAX_TIMEOUT',
    })
    expect(max).toBe(MAX_TIMEOUT_SECONDS)
  })

  it('validateOpenChannel() accepts exactly the inputs whose open() simulation succeeds, with the matching error otherwise', async () => {
    const p = t.provider.address
    type Case = {
      name: string
      args: readonly [Address, bigint, bigint, bigint]
      field: keyof OpenChannelInput | null
      contractError: string | null
    }
    const cases: Case[] = [
      { name: 'valid', args: [p, 1_000n, 60n, 600n], field: null, contractError: null },
      { name: 'exactly three timeouts', args: [p, 1n, 60n, 180n], field: null, contractError: null },
      {
        name: 'limits',
        args: [p, 1n, MAX_TIMEOUT_SECONDS / 3n, MAX_TIMEOUT_SECONDS],
        field: null,
        contractError: null,
      },
      { name: 'shortest', args: [p, 1n, 1n, 3n], field: null, contractError: null },
      {
        name: 'provider = consumer',
        args: [t.consumer.address, 1n, 60n, 600n],
        field: 'provider',
        contractError: 'InvalidProvider',
      },
      {
        name: 'zero provider',
        args: [zeroAddress, 1n, 60n, 600n],
        field: 'provider',
        contractError: 'InvalidProvider',
      },
      { name: 'price 0', args: [p, 0n, 60n, 600n], field: 'price', contractError: 'ZeroCostPerRequest' },
      {
        name: 'redemption 0',
        args: [p, 1n, 0n, 600n],
        field: 'redemptionTimeout',
        contractError: 'InvalidRedemptionTimeout',
      },
      {
        name: 'redemption above 365/3 days',
        args: [p, 1n, MAX_TIMEOUT_SECONDS / 3n + 1n, MAX_TIMEOUT_SECONDS],
        field: 'redemptionTimeout',
        contractError: 'InvalidRedemptionTimeout',
      },
      {
        name: 'termination below redemption',
        args: [p, 1n, 60n, 59n],
        field: 'terminationTimeout',
        contractError: 'TerminationTimeoutTooShort',
      },
      {
        name: 'termination 3x - 1',
        args: [p, 1n, 60n, 179n],
        field: 'terminationTimeout',
        contractError: 'TerminationTimeoutTooShort',
      },
      {
        name: 'termination above 365 days',
        args: [p, 1n, 60n, MAX_TIMEOUT_SECONDS + 1n],
        field: 'terminationTimeout',
        contractError: 'TerminationTimeoutTooLong',
      },
    ]
    const seen = []
    const expected = []
    for (const c of cases) {
      const [prov, price, redemption, termination] = c.args
      const input: OpenChannelInput = {
        provider: prov,
        price: wei(price),
        deposit: wei(7n),
        redemptionTimeout: seconds(redemption),
        terminationTimeout: seconds(termination),
      }
      const verdict = validateOpenChannel(input, { consumer: t.consumer.address })
      // A single-price form gives v1's arguments (the price table mode: walletV2.anvil.test.ts).
      const single = verdict.ok && 'costPerRequest' in verdict.value ? verdict.value : null
      const contract = await simulateOpen(
        verdict.ok && single
          ? [
              verdict.value.provider,
              single.costPerRequest,
              verdict.value.redemptionTimeout,
              verdict.value.terminationTimeout,
            ]
          : c.args,
        verdict.ok ? verdict.value.deposit : 7n,
      )
      seen.push({
        name: c.name,
        accepted: verdict.ok,
        refusedFields: verdict.ok ? [] : Object.keys(verdict.errors),
        contract,
      })
      expected.push({
        name: c.name,
        accepted: c.field === null,
        refusedFields: c.field === null ? [] : [c.field],
        contract: c.contractError,
      })
      if (verdict.ok) {
        const value: OpenChannelArgs = verdict.value
        expect(value).toEqual({
          provider: prov.toLowerCase(),
          costPerRequest: price,
          deposit: 7n,
          redemptionTimeout: redemption,
          terminationTimeout: termination,
        })
      }
    }
    expect(seen).toEqual(expected)
  })
})
