import type { ChannelState } from '@/lib/channel'
import { formatWei } from '@/lib/explorer/format'
import { depositAmount, newPrices, redeemToken } from './actionInputs'
import { type ChannelAction, defineAction } from './channelAction'

/** The token ID a redemption makes active: the consumer signs new requests with it. */
const newTokenId = (state: ChannelState) => state.lastTokenId + 1n

/**
 * The channel's actions as the dashboard shows them, each side's in this order: a card per row
 * (see {@link ChannelAction}). A new action is a new row.
 */
export const channelActionTable: readonly ChannelAction[] = [
  defineAction({
    testId: 'action-deposit',
    title: 'Deposit',
    side: 'consumer',
    availability: 'deposit',
    submitLabel: 'Deposit',
    description: ({ state }) => (
      <p className="action-text">
        Adds funds for future requests. Consumer funds now: {formatWei(state.consumerFunds)}.
      </p>
    ),
    input: depositAmount,
    call: (_, value) => ({ functionName: 'deposit', value }),
  }),
  defineAction({
    testId: 'action-start-termination',
    title: 'Start termination',
    side: 'consumer',
    availability: 'startTermination',
    submitLabel: 'Start termination',
    description: () => (
      <p className="action-text">
        Announces the end of the channel: no more deposits, and after the termination timeout you can
        terminate and take back what is left. The provider can still redeem its last token until then.
      </p>
    ),
    call: () => ({ functionName: 'startTermination' }),
  }),
  defineAction({
    testId: 'action-finish-termination',
    title: 'Finish termination',
    side: 'consumer',
    availability: 'terminate',
    submitLabel: 'Terminate',
    description: () => (
      <p className="action-text">Ends the channel once the announced deadline has passed.</p>
    ),
    call: () => ({ functionName: 'terminate' }),
  }),
  defineAction({
    testId: 'action-consumer-withdraw',
    title: 'Withdraw refund',
    side: 'consumer',
    availability: 'withdraw',
    submitLabel: ({ state }) => `Withdraw ${formatWei(state.consumerFunds)}`,
    description: () => (
      <p className="action-text">After termination, pays the consumer's remaining funds back to it.</p>
    ),
    call: () => ({ functionName: 'withdraw' }),
  }),
  defineAction({
    testId: 'action-start-redemption',
    title: 'Start redemption',
    side: 'provider',
    availability: 'startRedemption',
    submitLabel: 'Start redemption',
    description: ({ state }) => (
      <p className="action-text">
        Retires token #{state.activeTokenId.toString()} (the consumer signs new requests with #
        {newTokenId(state).toString()}); after the redemption timeout you complete it with the consumer's
        highest token for #{state.activeTokenId.toString()}.
      </p>
    ),
    // v1 takes the new token ID; v2 assigns it.
    call: ({ state, v2 }) =>
      v2
        ? { functionName: 'startRedemption' }
        : { functionName: 'startRedemption', args: [newTokenId(state)] },
  }),
  defineAction({
    testId: 'action-announce-prices',
    title: 'Start redemption with new prices',
    side: 'provider',
    versions: [2],
    availability: 'startRedemptionWithPrices',
    submitLabel: 'Announce and start redemption',
    description: ({ state }) => (
      <p className="action-text">
        Starts the redemption of token #{state.activeTokenId.toString()} and announces a new price table for
        token #{newTokenId(state).toString()} on: the consumer sees it before signing a token at it and may
        stop instead. Token #{state.activeTokenId.toString()} keeps its prices.
      </p>
    ),
    input: newPrices,
    call: (_, prices) => ({ functionName: 'startRedemptionWithPrices', args: [prices] }),
  }),
  defineAction({
    testId: 'action-redeem',
    title: 'Complete redemption',
    side: 'provider',
    availability: 'redeem',
    submitLabel: 'Complete redemption',
    description: () => (
      <p className="action-text">Moves what the token is worth from the consumer's funds to yours.</p>
    ),
    input: redeemToken,
    call: (_, { token, andStart }) =>
      token.version === 2
        ? {
            functionName: andStart ? 'redeemAndStartRedemption' : 'redeem',
            args: [token.requests, token.prices, token.signature],
          }
        : { functionName: 'redeem', args: [token.requests, token.signature] },
  }),
  defineAction({
    testId: 'action-provider-withdraw',
    title: 'Withdraw earnings',
    side: 'provider',
    availability: 'withdraw',
    submitLabel: ({ state }) => `Withdraw ${formatWei(state.providerFunds)}`,
    description: () => <p className="action-text">Pays what you redeemed so far to your account.</p>,
    call: () => ({ functionName: 'withdraw' }),
  }),
  defineAction({
    testId: 'action-close',
    title: 'Close now',
    side: 'provider',
    availability: 'terminate',
    submitLabel: 'Close the channel',
    description: () => (
      <p className="action-text">
        Ends the channel at once. A pending redemption is void, so complete it first; both sides then withdraw
        their funds.
      </p>
    ),
    call: () => ({ functionName: 'terminate' }),
  }),
]
