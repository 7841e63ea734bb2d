import { type Abi, getAddress, parseEventLogs } from 'viem'
import { expect } from 'vitest'
import { readChannelState } from '../../lib/channel'
import type { ChannelTestbed } from '../../test/kit/testbed'
import { intermediaryAbi } from '../generated'
import { type Model, type Mutation, type Op, predict, type Setup, type Terms } from './model'
import { callArgs, resolve } from './modelOps'

/*
 * One run of the model-based property tests (properties.test.ts): a sequence of operations
 * against a fresh channel and against the model, compared after every step. One anvil serves all
 * runs: each run works inside an EVM snapshot that is reverted afterwards.
 */

/**
 * Runs sequences on the testbed's chain: `runSequence(setup, ops, mutation?)` opens a channel with
 * `setup`'s terms, applies `ops` and throws on the first deviation from the model (mutated by
 * `mutation`) or from the money invariants.
 */
export function createSequenceRunner(t: ChannelTestbed) {
  /** Timestamp of the next transaction; only ever grows, across runs too. */
  let clock: bigint | undefined
  const accounts = t.parties

  return async function runSequence(setup: Setup, ops: Op[], mutation?: Mutation) {
    clock ??= (await t.publicClient.getBlock()).timestamp + 1_000n
    const snapshot = await t.testClient.snapshot()
    try {
      const who = {
        consumer: getAddress(accounts.consumer.address),
        provider: getAddress(accounts.provider.address),
        stranger: getAddress(accounts.stranger.address),
      }
      const terms: Terms = {
        cost: setup.cost,
        redemptionTimeout: setup.redemptionTimeout,
        terminationTimeout: 3n * setup.redemptionTimeout + setup.extraTermination,
      }
      clock += 1n
      await t.testClient.setNextBlockTimestamp({ timestamp: clock })
      const { channel, receipt: openReceipt } = await t.openChannel({
        factory: t.factory,
        consumer: accounts.consumer,
        provider: accounts.provider.address,
        costPerRequest: terms.cost,
        redemptionTimeout: terms.redemptionTimeout,
        terminationTimeout: terms.terminationTimeout,
        value: setup.initial,
      })

      let model: Model = {
        consumerFunds: setup.initial,
        providerFunds: 0n,
        activeTokenId: 1n,
        expiringTokenId: 0n,
        redeemableAt: 0n,
        lastTokenId: 1n,
        terminatesAt: 0n,
        terminated: false,
      }
      // Ledger from the chain's own events, for the invariants.
      const ledger = { deposited: 0n, earned: 0n, withdrawnByProvider: 0n, refundedToConsumer: 0n }
      const redeemedTokenIds: bigint[] = []
      for (const log of parseEventLogs({
        abi: intermediaryAbi,
        logs: openReceipt.logs,
        eventName: 'Deposited',
      })) {
        ledger.deposited += log.args.amount
      }

      const check = async (step: string) => {
        const state = await readChannelState({ client: t.publicClient, address: channel })
        expect({ step, ...state }).toEqual({
          step,
          address: channel,
          consumer: accounts.consumer.address.toLowerCase(),
          provider: accounts.provider.address.toLowerCase(),
          costPerRequest: terms.cost,
          redemptionTimeout: terms.redemptionTimeout,
          terminationTimeout: terms.terminationTimeout,
          ...model,
        })
        const balance = await t.publicClient.getBalance({ address: channel })
        // The contract's invariant is balance >= funds; nothing forces ether in here, so it is equal.
        expect(balance, `${step}: balance`).toBe(state.consumerFunds + state.providerFunds)
        expect(ledger.deposited, `${step}: conservation`).toBe(
          state.consumerFunds + state.providerFunds + ledger.withdrawnByProvider + ledger.refundedToConsumer,
        )
        expect(new Set(redeemedTokenIds).size, `${step}: a token ID redeemed twice`).toBe(
          redeemedTokenIds.length,
        )
        expect(ledger.earned <= ledger.deposited, `${step}: earned more than deposited`).toBe(true)
        expect(ledger.withdrawnByProvider <= ledger.earned, `${step}: withdrew more than earned`).toBe(true)
      }

      await check('open')
      for (const [index, op] of ops.entries()) {
        if (op.kind === 'advance') {
          // The next transaction runs at clock + 1.
          const target =
            op.to === 'redeemableAt' ? model.redeemableAt : op.to === 'terminatesAt' ? model.terminatesAt : 0n
          if (op.to === 'free') clock += (terms.redemptionTimeout * BigInt(op.percent)) / 100n
          else if (target + BigInt(op.offset) - 1n > clock) clock = target + BigInt(op.offset) - 1n
          continue
        }
        clock += 1n
        const now = clock
        const call = resolve(op, model, channel, { keys: t.partyKeys, chainId: t.chain.id })
        const step = `#${index} ${call.fn} by ${call.by} at ${now}`
        const outcome = predict(model, call, now, terms, who, mutation)
        const { args, value } = callArgs(call)
        const request = {
          account: accounts[call.by],
          address: channel,
          abi: intermediaryAbi as Abi,
          functionName: call.fn,
          args,
          value,
        }

        const actual = await t.errorOf({ ...request, time: now })
        if ('error' in outcome) {
          expect({ step, error: actual }).toEqual({ step, error: outcome.error })
          await check(step)
          continue
        }
        expect({ step, error: actual }).toEqual({ step, error: null })

        const payee = outcome.pays ? accounts[outcome.pays.to].address : undefined
        const before = payee ? await t.publicClient.getBalance({ address: payee }) : 0n
        await t.testClient.setNextBlockTimestamp({ timestamp: now })
        const hash = await t.wallet(accounts[call.by]).writeContract({ ...request, gas: 500_000n })
        const receipt = await t.mined(hash)
        const events = parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs })
        expect({ step, events: events.map((e) => ({ eventName: e.eventName, args: e.args })) }).toEqual({
          step,
          events: outcome.events,
        })
        for (const e of events) {
          if (e.eventName === 'Deposited') ledger.deposited += e.args.amount
          if (e.eventName === 'Redeemed') {
            ledger.earned += e.args.amount
            redeemedTokenIds.push(e.args.tokenId)
          }
          if (e.eventName === 'Withdrawn') {
            if (e.args.to === who.provider) ledger.withdrawnByProvider += e.args.amount
            else if (e.args.to === who.consumer) ledger.refundedToConsumer += e.args.amount
            else throw new Error(`${step}: paid a stranger ${e.args.to}`)
          }
        }
        if (payee && outcome.pays) {
          const after = await t.publicClient.getBalance({ address: payee })
          expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice, `${step}: paid`).toBe(
            outcome.pays.amount,
          )
        }
        model = outcome.next
        await check(step)
      }
    } finally {
      await t.testClient.revert({ id: snapshot })
    }
  }
}
