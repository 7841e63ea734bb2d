/**
 * Gas benchmark of the contracts (`npm run bench:gas`): starts a throwaway anvil, runs each
 * operation once in a realistic state (a funded channel going through a full life cycle) and
 * prints markdown tables: v1 against the thesis prototype's figures, v2 (IntermediaryV2, price
 * tables; contracts/gasV2.ts) against v1 measured in the same run, and the gas of a
 * channel-year at one redemption cycle an hour.
 */
import type { Abi, Address, Hex, LocalAccount } from 'viem'
import { signToken } from '../packages/payment-client/src/token'
import { startTestChain } from '../test/kit/chain'
import { gasRecorder, measureV2 } from './gasV2'
import { intermediaryAbi, intermediaryFactoryAbi, intermediaryFactoryBytecode } from './generated'

/** Gas of the thesis prototype per operation, where it reports one. */
const THESIS: Record<string, number | undefined> = {
  'open channel (deploy)': 935_000,
  deposit: 48_000,
  startRedemption: 82_000,
  redeem: 87_000,
  'withdraw (provider payout)': 34_000,
}

/** The thesis's redemption cycle: startRedemption + redeem. */
const THESIS_CYCLE = 82_000n + 87_000n
/** A channel redeems about once an hour for its whole life: 24 * 365 cycles a year. */
const CYCLES_A_YEAR = 8_760n

const REDEMPTION_TIMEOUT = 60n
const TERMINATION_TIMEOUT = 600n

async function main(): Promise<void> {
  const t = await startTestChain()
  try {
    const [deployer, consumer, provider] = t.accounts as [LocalAccount, LocalAccount, LocalAccount]
    const { rows, record, send } = gasRecorder(t, intermediaryAbi as Abi)

    const factoryReceipt = await t.mined(
      await t
        .wallet(deployer)
        .deployContract({ abi: intermediaryFactoryAbi, bytecode: intermediaryFactoryBytecode }),
    )
    record('factory deployment', factoryReceipt)
    const factory = factoryReceipt.contractAddress as Address

    // A first channel, so the factory's counter is already non-zero as in steady state.
    await t.openChannel({ factory, consumer: deployer, provider: provider.address, value: 1n })

    const { channel, receipt: opened } = await t.openChannel({
      factory,
      consumer,
      provider: provider.address,
      costPerRequest: 1_000_000_000n,
      redemptionTimeout: REDEMPTION_TIMEOUT,
      terminationTimeout: TERMINATION_TIMEOUT,
      value: 10n ** 17n,
    })
    record('open channel (deploy)', opened)
    record('deposit', await send(consumer, channel, 'deposit', [], 10n ** 17n))
    /** A redemption cycle of token `tokenId` (v1 takes the next ID as an argument). */
    const cycle = async (tokenId: bigint, suffix: string) => {
      const start = record(
        `startRedemption${suffix}`,
        await send(provider, channel, 'startRedemption', [tokenId + 1n]),
      )
      await t.advanceTime(REDEMPTION_TIMEOUT)
      const token = await signToken({
        account: consumer,
        chainId: t.chain.id,
        channel,
        tokenId,
        requests: 1_234n,
      })
      const redeem = record(
        `redeem${suffix}`,
        await send(provider, channel, 'redeem', [token.requests, token.signature as Hex]),
      )
      return start + redeem
    }
    rows.push({ operation: 'first cycle', gas: await cycle(1n, '') })
    // The second cycle is what every later one costs (the first pays providerFunds' first write).
    const v1Cycle = await cycle(2n, ' (steady cycle)')
    rows.push({ operation: 'steady cycle', gas: v1Cycle })
    record('withdraw (provider payout)', await send(provider, channel, 'withdraw'))
    record('startTermination', await send(consumer, channel, 'startTermination'))
    await t.advanceTime(TERMINATION_TIMEOUT)
    record('terminate (consumer, after deadline)', await send(consumer, channel, 'terminate'))
    record('withdraw (consumer refund)', await send(consumer, channel, 'withdraw'))

    const v2 = await measureV2(t, { deployer, consumer, provider })
    const fmt = (gas: bigint | number) => gas.toLocaleString('en-US')
    const ratio = (a: bigint, b: bigint | number) => (Number(a) / Number(b)).toFixed(2)
    const v1Gas = new Map(rows.map((r) => [r.operation, r.gas]))
    const lines = [
      '## v1 (Intermediary) against the thesis prototype',
      '',
      '| operation | gas used | thesis prototype | ratio (ours / thesis) |',
      '| --- | ---: | ---: | ---: |',
      ...rows.map(({ operation, gas }) => {
        const thesis = THESIS[operation]
        return `| ${operation} | ${fmt(gas)} | ${thesis === undefined ? '-' : fmt(thesis)} | ${thesis === undefined ? '-' : ratio(gas, thesis)} |`
      }),
      '',
      '## v2 (IntermediaryV2, price tables) against v1, same run',
      '',
      '| operation | gas used | v1 | ratio (v2 / v1) |',
      '| --- | ---: | ---: | ---: |',
      ...v2.rows.map(({ operation, gas, v1 }) => {
        const base = v1 === undefined ? undefined : v1Gas.get(v1)
        return `| ${operation} | ${fmt(gas)} | ${base === undefined ? '-' : fmt(base)} | ${base === undefined ? '-' : ratio(gas, base)} |`
      }),
      '',
      `## A channel-year: ${fmt(CYCLES_A_YEAR)} redemption cycles (one an hour)`,
      '',
      '| channel | gas a cycle | gas a year | ratio (/ thesis) |',
      '| --- | ---: | ---: | ---: |',
      ...[
        { label: 'thesis prototype (82,000 + 87,000)', gas: THESIS_CYCLE },
        { label: 'v1, steady cycle', gas: v1Cycle },
        ...v2.cycles,
      ].map(
        ({ label, gas }) =>
          `| ${label} | ${fmt(gas)} | ${fmt(gas * CYCLES_A_YEAR)} | ${ratio(gas, THESIS_CYCLE)} |`,
      ),
    ]
    console.log(lines.join('\n'))
  } finally {
    await t.stop()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
