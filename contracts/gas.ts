/**
 * Gas benchmark of the contracts (`npm run bench:gas`): starts a throwaway anvil, runs each
 * operation once in a realistic state (a funded channel going through a full life cycle) and
 * prints a markdown table comparing the gas used with the thesis prototype's figures.
 */
import type { Abi, Address, Hex, LocalAccount, TransactionReceipt } from 'viem'
import { signToken } from '../packages/payment-client/src/token'
import { startTestChain } from '../test/kit/chain'
import { intermediaryAbi, intermediaryFactoryAbi, intermediaryFactoryBytecode } from './generated'

/** Gas of the thesis prototype per operation, where it reports one. */
const THESIS: Record<string, number | undefined> = {
  'open channel (deploy)': 935_000,
  deposit: 48_000,
  startRedemption: 82_000,
  redeem: 87_000,
  'withdraw (provider payout)': 34_000,
}

const REDEMPTION_TIMEOUT = 60n
const TERMINATION_TIMEOUT = 600n

async function main(): Promise<void> {
  const t = await startTestChain()
  try {
    const [deployer, consumer, provider] = t.accounts as [LocalAccount, LocalAccount, LocalAccount]
    const rows: { operation: string; gas: bigint }[] = []
    const record = (operation: string, receipt: TransactionReceipt) => {
      if (receipt.status !== 'success') throw new Error(`${operation} reverted`)
      rows.push({ operation, gas: receipt.gasUsed })
    }
    const send = async (
      account: LocalAccount,
      channel: Address,
      functionName: string,
      args: unknown[] = [],
      value?: bigint,
    ) =>
      t.mined(
        await t
          .wallet(account)
          .writeContract({ address: channel, abi: intermediaryAbi as Abi, functionName, args, value }),
      )

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
    record('startRedemption', await send(provider, channel, 'startRedemption', [2n]))
    await t.advanceTime(REDEMPTION_TIMEOUT)
    const token = await signToken({
      account: consumer,
      chainId: t.chain.id,
      channel,
      tokenId: 1n,
      requests: 1_234n,
    })
    record('redeem', await send(provider, channel, 'redeem', [token.requests, token.signature as Hex]))
    record('withdraw (provider payout)', await send(provider, channel, 'withdraw'))
    record('startTermination', await send(consumer, channel, 'startTermination'))
    await t.advanceTime(TERMINATION_TIMEOUT)
    record('terminate (consumer, after deadline)', await send(consumer, channel, 'terminate'))
    record('withdraw (consumer refund)', await send(consumer, channel, 'withdraw'))

    const lines = [
      '| operation | gas used | thesis prototype | ratio (ours / thesis) |',
      '| --- | ---: | ---: | ---: |',
      ...rows.map(({ operation, gas }) => {
        const thesis = THESIS[operation]
        const ratio = thesis === undefined ? '-' : (Number(gas) / thesis).toFixed(2)
        return `| ${operation} | ${gas.toLocaleString('en-US')} | ${thesis === undefined ? '-' : thesis.toLocaleString('en-US')} | ${ratio} |`
      }),
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
