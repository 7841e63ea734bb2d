/**
 * The IntermediaryV2 half of the gas benchmark (`npm run bench:gas`, contracts/gas.ts): opens
 * channels of 1 and 8 categories through IntermediaryFactoryV2 and runs their operations in a
 * realistic state: two redemption cycles at unchanged prices, two as one transaction each
 * (redeemAndStartRedemption), a price change, a cycle at the changed prices and one that
 * changes them again.
 */
import type { Abi, Address, LocalAccount, TransactionReceipt } from 'viem'
import type { TestChain } from '../test/kit/chain'
import { intermediaryFactoryV2Abi, intermediaryFactoryV2Bytecode, intermediaryV2Abi } from './generated'
import { signTokenV2 } from './test/v2/token'

/** One measured operation; `v1` names v1's row for the same operation, when there is one. */
export type GasRow = { operation: string; gas: bigint; v1?: string }

/**
 * The rows of one measured run, `record(operation, receipt, v1?)` to add one (a reverted
 * transaction throws), and `send(account, channel, functionName, args?, value?)` to call a
 * channel of `abi` and wait for its receipt. Both versions' benches measure through it.
 */
export function gasRecorder(t: TestChain, abi: Abi) {
  const rows: GasRow[] = []
  const record = (operation: string, receipt: TransactionReceipt, v1?: string) => {
    if (receipt.status !== 'success') throw new Error(`${operation} reverted`)
    rows.push({ operation, gas: receipt.gasUsed, v1 })
    return receipt.gasUsed
  }
  const send = async (
    account: LocalAccount,
    channel: Address,
    functionName: string,
    args: unknown[] = [],
    value?: bigint,
  ) => t.mined(await t.wallet(account).writeContract({ address: channel, abi, functionName, args, value }))
  return { rows, record, send }
}

/** The v2 measurements: every row, and the steady cycle's gas per channel shape. */
export type V2Gas = {
  rows: GasRow[]
  /** startRedemption + redeem of the second cycle (steady state), by channel shape. */
  cycles: { label: string; gas: bigint }[]
}

const REDEMPTION_TIMEOUT = 60n
const TERMINATION_TIMEOUT = 600n
/** 1 gwei a request in every category, a realistic order of magnitude for the product's channels. */
const PRICE = 1_000_000_000n

/** Runs the v2 operations on `t` and returns the gas each used. */
export async function measureV2(
  t: TestChain,
  {
    deployer,
    consumer,
    provider,
  }: { deployer: LocalAccount; consumer: LocalAccount; provider: LocalAccount },
): Promise<V2Gas> {
  const { rows, record, send } = gasRecorder(t, intermediaryV2Abi as Abi)

  const deployed = await t.mined(
    await t
      .wallet(deployer)
      .deployContract({ abi: intermediaryFactoryV2Abi, bytecode: intermediaryFactoryV2Bytecode }),
  )
  record('v2 factory deployment', deployed, 'factory deployment')
  const factory = deployed.contractAddress as Address
  const open = async (account: LocalAccount, prices: bigint[], value: bigint) => {
    const receipt = await t.mined(
      await t.wallet(account).writeContract({
        address: factory,
        abi: intermediaryFactoryV2Abi,
        functionName: 'open',
        args: [provider.address, prices, REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT],
        value,
      }),
    )
    // The channel is the first log's emitter (its PricesAnnounced, from the constructor).
    return { channel: receipt.logs[0]!.address.toLowerCase() as Address, receipt }
  }
  // A first channel, so the factory's counter is already non-zero as in steady state.
  await open(deployer, [PRICE], 1n)

  /** `redeem`'s arguments for a token of `tokenId` with a count in every category of `table`. */
  const token = async (channel: Address, tokenId: bigint, table: bigint[]) => {
    const requests = table.map((_, i) => 1_234n + BigInt(i) * 111n)
    const signature = await signTokenV2({
      account: consumer,
      chainId: t.chain.id,
      channel,
      tokenId,
      prices: table,
      requests,
    })
    return [requests, table, signature]
  }

  /**
   * One cycle: start (with `prices` when given), wait, redeem token `tokenId` at `table`.
   * `v1` is the v1 cycle it compares with ('first' or 'steady'), if any.
   */
  const cycle = async (
    label: string,
    channel: Address,
    {
      tokenId,
      table,
      prices,
      v1,
    }: { tokenId: bigint; table: bigint[]; prices?: bigint[]; v1?: 'first' | 'steady' },
  ) => {
    const suffix = v1 === 'steady' ? ' (steady cycle)' : ''
    const start = prices
      ? record(
          `${label}: startRedemptionWithPrices`,
          await send(provider, channel, 'startRedemptionWithPrices', [prices]),
        )
      : record(
          `${label}: startRedemption`,
          await send(provider, channel, 'startRedemption'),
          v1 && `startRedemption${suffix}`,
        )
    await t.advanceTime(REDEMPTION_TIMEOUT)
    const redeem = record(
      `${label}: redeem`,
      await send(provider, channel, 'redeem', await token(channel, tokenId, table)),
      v1 && `redeem${suffix}`,
    )
    rows.push({ operation: `${label}: cycle`, gas: start + redeem, v1: v1 && `${v1} cycle` })
    return start + redeem
  }

  const cycles: V2Gas['cycles'] = []
  for (const categories of [1, 8]) {
    const name = `v2, ${categories} ${categories === 1 ? 'category' : 'categories'}`
    const table = Array.from({ length: categories }, (_, i) => PRICE * BigInt(i + 1))
    const { channel, receipt } = await open(consumer, table, 10n ** 18n)
    record(`${name}: open channel (deploy)`, receipt, 'open channel (deploy)')
    record(`${name}: deposit`, await send(consumer, channel, 'deposit', [], 10n ** 17n), 'deposit')
    await cycle(`${name}, first cycle`, channel, { tokenId: 1n, table, v1: 'first' })
    cycles.push({
      label: name,
      gas: await cycle(`${name}, steady cycle`, channel, { tokenId: 2n, table, v1: 'steady' }),
    })
    // One transaction a cycle: each redeemAndStartRedemption redeems token k and starts k + 1.
    await send(provider, channel, 'startRedemption')
    for (const tokenId of [3n, 4n]) {
      await t.advanceTime(REDEMPTION_TIMEOUT)
      const gas = record(
        `${name}, one transaction a cycle: redeemAndStartRedemption (${tokenId === 4n ? 'steady' : 'first'})`,
        await send(provider, channel, 'redeemAndStartRedemption', await token(channel, tokenId, table)),
        tokenId === 4n ? 'steady cycle' : undefined,
      )
      if (tokenId === 4n) cycles.push({ label: `${name}, one transaction a cycle`, gas })
    }
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await send(provider, channel, 'redeem', await token(channel, 5n, table))
    // A price change: announced with this start, it prices token 7; token 6 keeps the old table.
    const raised = table.map((p) => p * 2n)
    await cycle(`${name}, price change`, channel, { tokenId: 6n, table, prices: raised })
    cycles.push({
      label: `${name}, at changed prices`,
      gas: await cycle(`${name}, after the change`, channel, { tokenId: 7n, table: raised }),
    })
    cycles.push({
      label: `${name}, a price change every cycle`,
      gas: await cycle(`${name}, another change`, channel, {
        tokenId: 8n,
        table: raised,
        prices: raised.map((p) => p + 1n),
      }),
    })
    record(
      `${name}: withdraw (provider payout)`,
      await send(provider, channel, 'withdraw'),
      'withdraw (provider payout)',
    )
  }
  return { rows, cycles }
}
