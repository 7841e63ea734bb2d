import { encodeErrorResult } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  intermediaryFactoryV2Abi,
  intermediaryFactoryV2Bytecode,
  intermediaryV2Abi,
} from '../contracts/generated'
import { startTestChain, type TestChain } from '../test/kit/chain'
import { contractErrorOf, decodeContractError } from './contractErrors'

/* Sentences for IntermediaryV2's own custom errors: decoded from real reverts on anvil and from encoded data. */

let t: TestChain
let factory: `0x${string}`
beforeAll(async () => {
  t = await startTestChain()
  const hash = await t.wallet(t.accounts[0]!).deployContract({
    abi: intermediaryFactoryV2Abi,
    bytecode: intermediaryFactoryV2Bytecode,
  })
  factory = (await t.publicClient.waitForTransactionReceipt({ hash })).contractAddress as `0x${string}`
})
afterAll(() => t.stop())

/** The decoded error of opening a v2 channel with `prices` (simulated), or null. */
async function openWith(prices: bigint[]) {
  try {
    await t.publicClient.simulateContract({
      account: t.accounts[1]!,
      address: factory,
      abi: intermediaryFactoryV2Abi,
      functionName: 'open',
      args: [t.accounts[2]!.address, prices, 60n, 600n],
    })
    return null
  } catch (error) {
    return contractErrorOf(error)
  }
}

describe('contract errors of version 2 channels', () => {
  it('contractErrorOf() explains ZeroPrice and InvalidCategoryCount from a v2 factory open', async () => {
    expect(await openWith([1n, 0n])).toEqual({
      name: 'ZeroPrice',
      args: [1n],
      message: 'The price of category 2 must be more than 0 wei.',
    })
    expect((await openWith([]))?.message).toBe('A price table has 1 to 8 categories; this one has 0.')
    expect((await openWith(Array(9).fill(1n)))?.name).toBe('InvalidCategoryCount')
  })

  it('decodeContractError() has a sentence for every v2-only error', () => {
    const cases: Array<[string, readonly unknown[], RegExp]> = [
      ['InvalidConsumer', [], /consumer must be a non-zero address/],
      ['CategoryCountMismatch', [2n, 3n], /has 2 categories; 3 were given/],
      ['FundsOverflow', [], /below 2\^128 wei/],
      ['TooManyPriceChanges', [], /changed its prices the most times/],
      ['WrongPrices', [4n], /announced for token ID 4/],
    ]
    for (const [errorName, args, sentence] of cases) {
      const data = encodeErrorResult({ abi: intermediaryV2Abi, errorName, args } as never)
      expect(decodeContractError(data)?.message).toMatch(sentence)
    }
  })
})
