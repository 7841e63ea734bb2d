import { type Address, type Hex, type LocalAccount, type PublicClient, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  intermediaryFactoryV2Abi,
  intermediaryFactoryV2Bytecode,
  intermediaryV2Abi,
} from '../../contracts/generated'
import { formatTokenV2, signTokenV2 } from '../../packages/payment-client/src/tokenV2'
import { startTestChain, type TestChain } from '../../test/kit/chain'
import { contractErrorSentence } from '../contractErrors'
import { readChannelStateV2 } from '../server/payment/v2/chainState'
import { type ChannelActionId, channelActions } from './actions'
import { validateOpenChannel } from './openChannel'
import { MAX_CATEGORIES, newPricesProblem } from './priceTable'
import { checkPastedTokenV2, closeWithoutTokenV2, redemptionValueV2 } from './redeemTokenV2'
import { NOT_PARTY, seconds, wei } from './testing'

/*
 * The wallet admin of version 2 channels on a real anvil: a consumer account opens a channel
 * with two categories through IntermediaryFactoryV2 with what the open form checked; the
 * provider announces new prices and redeems at them; every action's verdict, the new table's
 * and the pasted token's refusals are compared with the contract's own on the same call.
 */

describe('the wallet admin of version 2 channels on anvil', () => {
  let t: TestChain
  let factory: Address
  let consumer: LocalAccount
  let provider: LocalAccount
  let stranger: LocalAccount

  beforeAll(async () => {
    t = await startTestChain()
    ;[, consumer, provider, stranger] = t.accounts as [LocalAccount, LocalAccount, LocalAccount, LocalAccount]
    const hash = await t.wallet(t.accounts[0]!).deployContract({
      abi: intermediaryFactoryV2Abi,
      bytecode: intermediaryFactoryV2Bytecode,
    })
    factory = (await t.mined(hash)).contractAddress as Address
  })
  afterAll(async () => t?.stop())

  const client = () => t.publicClient as unknown as PublicClient

  /** Sends one channel call and waits for its successful receipt. */
  async function send(account: LocalAccount, channel: Address, functionName: string, args: unknown[] = []) {
    const hash = await t.wallet(account).writeContract({
      address: channel,
      abi: intermediaryV2Abi,
      functionName,
      args,
    } as never)
    return t.mined(hash)
  }

  /** The contract's sentence for one call at block time `time` (null: it would succeed). */
  async function verdict(
    account: LocalAccount,
    channel: Address,
    functionName: string,
    args: unknown[],
    { time, value }: { time?: bigint; value?: bigint } = {},
  ) {
    const call = { account, address: channel, abi: intermediaryV2Abi, functionName, args, time, value }
    const error = await t.errorOf(call)
    return error ? contractErrorSentence(error.name, error.args) : null
  }

  /** A token of the consumer in the wire format, as a person would paste it. */
  async function wire(channel: Address, tokenId: bigint, prices: bigint[], requests: bigint[]) {
    const token = await signTokenV2({
      account: consumer,
      chainId: t.chain.id,
      channel,
      tokenId,
      prices,
      requests,
    })
    return formatTokenV2({ chainId: t.chain.id, token })
  }

  /**
   * At the latest block, for consumer, provider and stranger: every action's reason from
   * channelActions next to the contract's verdict on the same call (a stranger is refused with
   * NOT_PARTY exactly when the contract refuses). Returns what each may do.
   */
  async function check(step: string, channel: Address) {
    const block = await t.publicClient.getBlock({ blockTag: 'latest' })
    const state = await readChannelStateV2({ client: client(), address: channel, blockNumber: block.number })
    const calls: Record<ChannelActionId, [string, unknown[]]> = {
      deposit: ['deposit', []],
      startRedemption: ['startRedemption', []],
      startRedemptionWithPrices: ['startRedemptionWithPrices', [[7n, 8n]]],
      redeem: ['redeem', [[], [], '0x']],
      redeemAndStartRedemption: ['redeemAndStartRedemption', [[], [], '0x']],
      withdraw: ['withdraw', []],
      startTermination: ['startTermination', []],
      terminate: ['terminate', []],
    }
    const seen: unknown[] = []
    const wanted: unknown[] = []
    const allowed: Record<string, ChannelActionId[]> = { consumer: [], provider: [], stranger: [] }
    for (const [who, account] of [
      ['consumer', consumer],
      ['provider', provider],
      ['stranger', stranger],
    ] as const) {
      const actions = channelActions({
        state: { ...state, contractVersion: 2 },
        account: account.address,
        now: block.timestamp,
      })
      for (const action of actions) {
        const [fn, args] = calls[action.id]
        // A deposit of 1 wei, so it is judged on the channel's state alone.
        const value = action.id === 'deposit' ? 1n : undefined
        const contract = await verdict(account, channel, fn, args, { time: block.timestamp, value })
        seen.push({ step, who, id: action.id, ui: action.reason })
        wanted.push({
          step,
          who,
          id: action.id,
          ui: who === 'stranger' && contract !== null ? NOT_PARTY : contract,
        })
        if (action.reason === null) allowed[who]?.push(action.id)
      }
    }
    expect(seen).toEqual(wanted)
    return { allowed, state }
  }

  it("MAX_CATEGORIES equals the deployed factory's", async () => {
    const max = await t.publicClient.readContract({
      address: factory,
      abi: intermediaryFactoryV2Abi,
      functionName: 'MAX_CATEGORIES',
    })
    expect(max).toBe(BigInt(MAX_CATEGORIES))
  })

  it('a wallet account opens a v2 channel with two categories from the checked form, and announces, redeems at new prices and refuses what the contract refuses', async () => {
    // The form as a person fills it: two named categories in gwei and wei.
    const checked = validateOpenChannel(
      {
        provider: provider.address,
        mode: 'table',
        price: wei(''),
        categories: [
          { name: 'small', price: { text: '0.000001', unit: 'gwei' } },
          { name: 'large', price: wei(5_000n) },
        ],
        deposit: wei(1_000_000n),
        redemptionTimeout: seconds(60n),
        terminationTimeout: seconds(600n),
      },
      { consumer: consumer.address },
    )
    if (!checked.ok || !('prices' in checked.value)) throw new Error('the form refused a valid table')
    const v = checked.value
    const hash = await t.wallet(consumer).writeContract({
      address: factory,
      abi: intermediaryFactoryV2Abi,
      functionName: 'open',
      args: [v.provider, v.prices, v.redemptionTimeout, v.terminationTimeout],
      value: v.deposit,
    })
    const receipt = await t.mined(hash)
    const [opened] = parseEventLogs({
      abi: intermediaryFactoryV2Abi,
      eventName: 'ChannelOpened',
      logs: receipt.logs,
    })
    const channel = opened?.args.channel.toLowerCase() as Address
    const [announced] = parseEventLogs({
      abi: intermediaryV2Abi,
      eventName: 'PricesAnnounced',
      logs: receipt.logs,
    })
    expect(announced?.args).toEqual({ fromTokenId: 1n, version: 0n, prices: [1_000n, 5_000n] })
    expect(opened?.args).toMatchObject({
      consumer: consumer.address,
      provider: provider.address,
      prices: [1_000n, 5_000n],
    })
    expect(
      await t.publicClient.readContract({
        address: channel,
        abi: intermediaryV2Abi,
        functionName: 'categories',
      }),
    ).toBe(2n)

    let r = await check('open', channel)
    expect(r.allowed).toEqual({
      consumer: ['deposit', 'startTermination'],
      provider: ['startRedemption', 'terminate', 'startRedemptionWithPrices'],
      stranger: [],
    })

    // A new table of the wrong length, or with a free category: the form's sentence is the contract's.
    for (const bad of [[7n], [7n, 0n], [1n, 2n, 3n]]) {
      expect(newPricesProblem(bad, 2n)).toBe(
        await verdict(provider, channel, 'startRedemptionWithPrices', [bad]),
      )
    }
    expect(newPricesProblem([1_000n, 6_000n], 2n)).toBeNull()
    const start = await send(provider, channel, 'startRedemptionWithPrices', [[1_000n, 6_000n]])
    const [change] = parseEventLogs({
      abi: intermediaryV2Abi,
      eventName: 'PricesAnnounced',
      logs: start.logs,
    })
    expect(change?.args).toEqual({ fromTokenId: 2n, version: 1n, prices: [1_000n, 6_000n] })
    r = await check('announced, token 1 under redemption', channel)
    expect(r.allowed.provider).toEqual(['terminate'])
    await t.advanceTime(61)
    r = await check('announced, due', channel)
    expect(r.allowed.provider).toEqual(['redeem', 'terminate', 'redeemAndStartRedemption'])

    // Token 1 at the opening prices redeems token 1; a token of token 1 at the new prices does not.
    const state = r.state
    const expiringPrices = [1_000n, 5_000n]
    const forged = await wire(channel, 1n, [1_000n, 6_000n], [3n, 1n])
    const refused = await checkPastedTokenV2({
      text: forged,
      chainId: t.chain.id,
      state,
      categories: 2n,
      expiringPrices,
    })
    expect(refused).toEqual({
      ok: false,
      reason: await verdict(provider, channel, 'redeem', [
        [3n, 1n],
        [1_000n, 6_000n],
        forged.split('.').at(-1) as Hex,
      ]),
    })
    const narrow = await checkPastedTokenV2({
      text: await wire(channel, 1n, [1_000n], [3n]),
      chainId: t.chain.id,
      state,
      categories: 2n,
      expiringPrices: null,
    })
    expect(narrow).toEqual({
      ok: false,
      reason: 'The channel has 2 categories; 1 were given (one price or count per category).',
    })
    const good = await checkPastedTokenV2({
      text: await wire(channel, 1n, expiringPrices, [3n, 1n]),
      chainId: t.chain.id,
      state,
      categories: 2n,
      expiringPrices,
    })
    if (!good.ok) throw new Error(good.reason)
    const value = redemptionValueV2({ token: good.value, consumerFunds: state.consumerFunds })
    expect(value).toEqual({ wei: 8_000n, capped: false, text: '8,000 wei' })
    const redeemed = await send(provider, channel, 'redeemAndStartRedemption', [
      good.value.requests,
      good.value.prices,
      good.value.signature,
    ])
    const [paid] = parseEventLogs({ abi: intermediaryV2Abi, eventName: 'Redeemed', logs: redeemed.logs })
    expect(paid?.args).toMatchObject({
      tokenId: 1n,
      requests: [3n, 1n],
      prices: [1_000n, 5_000n],
      amount: value.wei,
    })

    // Token 2 is priced at the announced table: a token at the old prices is refused, at the new ones paid.
    await t.advanceTime(61)
    r = await check('token 2 due', channel)
    const oldPrices = await wire(channel, 2n, [1_000n, 5_000n], [1n, 2n])
    expect(
      await checkPastedTokenV2({
        text: oldPrices,
        chainId: t.chain.id,
        state: r.state,
        categories: 2n,
        expiringPrices: [1_000n, 6_000n],
      }),
    ).toEqual({
      ok: false,
      reason:
        "The token's price table is not the one announced for token ID 2: a token is valued at its own ID's prices only.",
    })
    expect(
      await verdict(provider, channel, 'redeem', [[1n, 2n], [1_000n, 5_000n], oldPrices.split('.').at(-1)]),
    ).toBe(
      "The token's price table is not the one announced for token ID 2: a token is valued at its own ID's prices only.",
    )
    const atNew = await checkPastedTokenV2({
      text: await wire(channel, 2n, [1_000n, 6_000n], [1n, 2n]),
      chainId: t.chain.id,
      state: r.state,
      categories: 2n,
      expiringPrices: [1_000n, 6_000n],
    })
    if (!atNew.ok) throw new Error(atNew.reason)
    const second = await send(provider, channel, 'redeem', [
      atNew.value.requests,
      atNew.value.prices,
      atNew.value.signature,
    ])
    const [paid2] = parseEventLogs({ abi: intermediaryV2Abi, eventName: 'Redeemed', logs: second.logs })
    expect(paid2?.args.amount).toBe(13_000n)
    expect(redemptionValueV2({ token: atNew.value, consumerFunds: r.state.consumerFunds }).wei).toBe(13_000n)

    // Termination: no more price changes, the last token closes without a token.
    await send(consumer, channel, 'startTermination')
    r = await check('terminating', channel)
    expect(r.allowed.provider).toEqual(['startRedemption', 'withdraw', 'terminate'])
    await send(provider, channel, 'startRedemption')
    await t.advanceTime(61)
    r = await check('terminating, last token due', channel)
    expect(r.allowed.provider).toEqual(['redeem', 'withdraw', 'terminate'])
    await send(provider, channel, 'redeem', [
      closeWithoutTokenV2.requests,
      closeWithoutTokenV2.prices,
      closeWithoutTokenV2.signature,
    ])
    r = await check('terminating, closed', channel)
    expect(r.state.providerFunds).toBe(21_000n)
    expect(r.state.consumerFunds).toBe(1_000_000n - 21_000n)
  })

  it("the open form's table verdicts match the factory's on the same prices", async () => {
    const open = async (prices: bigint[]) =>
      t.errorOf({
        account: consumer,
        address: factory,
        abi: intermediaryFactoryV2Abi,
        functionName: 'open',
        args: [provider.address, prices, 60n, 600n],
      })
    const form = (prices: string[]) =>
      validateOpenChannel(
        {
          provider: provider.address,
          mode: 'table',
          price: wei(''),
          categories: prices.map((p, i) => ({ name: `c${i}`, price: wei(p) })),
          deposit: wei(0n),
          redemptionTimeout: seconds(60n),
          terminationTimeout: seconds(600n),
        },
        { consumer: consumer.address },
      ).ok
    const cases: string[][] = [['1'], ['1', '0'], Array(8).fill('3'), Array(9).fill('3'), []]
    const seen = []
    for (const prices of cases)
      seen.push({ prices, form: form(prices), contract: (await open(prices.map(BigInt)))?.name ?? null })
    expect(seen).toEqual([
      { prices: cases[0], form: true, contract: null },
      { prices: cases[1], form: false, contract: 'ZeroPrice' },
      { prices: cases[2], form: true, contract: null },
      { prices: cases[3], form: false, contract: 'InvalidCategoryCount' },
      { prices: cases[4], form: false, contract: 'InvalidCategoryCount' },
    ])
  })
})
