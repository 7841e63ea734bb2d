import { z } from 'zod'
import { BadRequestError } from '../../../errors'
import { error, json } from '../../http/openapi'
import { Answer } from '../../http/route'
import { autoFundOf, channelTerms } from '../channelTerms'
import { example, minedExample, one, refusal } from '../examples'
import { redemptionStart } from '../runner/redemptions'
import {
  channelSchema,
  depositBody,
  openChannelBody,
  patchChannelBody,
  pricesBody,
  pricesSchema,
  transactionSchema,
} from '../schemas'
import { categoryOrigins } from '../v2/origins'
import { channelJson, resolveProvider, transactionJson } from '../views'
import { definePaymentRoute } from './route'

/** A channel of a chain that was reset under the server (../chainEpoch). */
const retired = error(
  'The channel belonged to the chain before it was reset (`channel_retired`): open a new one; its records are kept for audit',
  { channel_retired: refusal.channel_retired },
)

/** A channel not of this server (or not the caller's). */
const unknown = error('`channel_unknown`', { channel_unknown: refusal.channel_unknown })

/** The answers of a call that sends one transaction of a channel and waits until it is mined. */
const transactionResponses = (action: string, [code, reason]: [string, string]) => ({
  '200': json(transactionSchema, 'Mined', minedExample(action)),
  '404': error('Not a channel of this server (`channel_unknown`)', {
    channel_unknown: refusal.channel_unknown,
  }),
  '410': retired,
  '409': error(
    `The contract would refuse it: the code is the contract error in snake case (e.g. \`${code}\`) and the message says why; nothing was sent`,
    { [code]: `${action} would fail: ${reason}` },
  ),
  '504': error(
    'Sent, but not mined within PAYMENT_RECEIPT_TIMEOUT_MS (`transaction_pending`): the message names the transaction, which the Payment Server keeps watching; do not send it again',
    {
      transaction_pending: `${action} was sent in transaction ${example.transactionHash} and is not mined after 60 s; the Payment Server keeps watching it.`,
    },
  ),
})

/** A channel's answer, as the examples show it. */
const channelExample = one('A channel of shop to billing', { channel: example.channelJson })

/** The channels of the caller: list, open, read, auto-funding, and the transactions it sends. */
export const channelRoutes = [
  definePaymentRoute({
    name: 'channels.list',
    method: 'GET',
    path: '/api/payment/channels',
    auth: 'service',
    doc: {
      summary: "The caller's channels",
      responses: {
        '200': json(
          z.object({ channels: z.array(channelSchema) }),
          'Channels',
          one("The caller's one channel", { channels: [example.channelJson] }),
        ),
      },
    },
    async handler({ server, caller }) {
      const channels = await server.channels.listFor(caller)
      return { channels: await Promise.all(channels.map((c) => channelJson(server, c))) }
    },
  }),
  definePaymentRoute({
    name: 'channels.open',
    method: 'POST',
    path: '/api/payment/channels',
    auth: 'service',
    body: openChannelBody,
    doc: {
      summary: 'Get or create the open channel from the caller to a provider',
      description:
        'Deploys through the factory, paid by the caller, when the caller has no channel to the provider that is neither terminated nor terminating (channels of a chain that was reset are retired, never given back). Several concurrent calls, on any instance, open at most one, and only the call that deployed it answers 201.',
      requestExamples: {
        named: {
          summary: "At the provider's price, with a first deposit",
          value: { provider: 'billing', deposit: '1000000000000000' },
        },
        traced: {
          summary:
            'A version 2 channel whose categories count requests made on behalf of two consumers (exact transitive tracing)',
          value: {
            provider: 'dave',
            deposit: '1000000000000000',
            prices: [
              { name: 'alice', price: '30000000000', origin: 'alice' },
              { name: 'bob', price: '30000000000', origin: 'bob' },
            ],
          },
        },
        terms: {
          summary: 'Every term given, with auto-funding',
          value: {
            provider: example.provider,
            costPerRequest: example.costPerRequest,
            deposit: '1000000000000000',
            redemptionTimeout: 60,
            terminationTimeout: 900,
            autoFund: { threshold: '100000000000000', amount: '1000000000000000' },
          },
        },
      },
      responses: {
        '200': json(
          z.object({ channel: channelSchema, created: z.literal(false) }),
          'Existing channel',
          one('The channel that was already open', { channel: example.channelJson, created: false }),
        ),
        '201': json(
          z.object({ channel: channelSchema, created: z.literal(true) }),
          'Deployed now',
          one('A channel deployed by this call', {
            channel: {
              ...example.channelJson,
              chain: { ...example.channelJson.chain, activeTokenId: '0', lastTokenId: '0' },
              server: { issued: [], accepted: [], lastError: null, retryAt: null },
            },
            created: true,
          }),
        ),
        '400': error(
          '`origin_unknown` (a category names as origin a service this server does not have) or `origin_duplicate` (two categories trace one origin)',
          {
            origin_unknown:
              'No service is named alice: an origin is a service name of this server or an address.',
          },
        ),
        '404': error('Unknown provider service (`service_unknown`)', {
          service_unknown: 'No service is named billing.',
        }),
        '409': error('`price_required`, `invalid_provider`, or the factory would refuse the terms', {
          price_required: 'The provider has no price on this server: give costPerRequest.',
        }),
      },
    },
    /** Get-or-create: 200 when the channel exists, 201 when deployed now (paid by the caller). */
    async handler({ server, caller: consumer, body }) {
      const provider = await resolveProvider(server, body.provider)
      const origins = body.prices ? await categoryOrigins(server.services, body.prices) : undefined
      const terms = channelTerms({ consumer, provider, body, origins })
      // Not a channel of a chain reset since the last background check: checked now (cheap
      // next to a deployment); a node that does not answer leaves it to the calls below.
      await server.chainEpoch.check().catch(() => null)
      const { channel, created } = await server.channels.open({
        consumer,
        provider: provider.address,
        ...terms,
      })
      return new Answer(created ? 201 : 200, { channel: await channelJson(server, channel), created })
    },
  }),
  definePaymentRoute({
    name: 'channels.get',
    method: 'GET',
    path: '/api/payment/channels/{address}',
    auth: 'service',
    doc: {
      summary: 'A channel: terms, state on chain, and what this server issued and accepted',
      responses: {
        '200': json(z.object({ channel: channelSchema }), 'Channel', channelExample),
        '404': unknown,
        '410': retired,
      },
    },
    async handler({ server, caller, params }) {
      const channel = await server.channels.forParty(params.address, caller)
      return { channel: await channelJson(server, channel) }
    },
  }),
  definePaymentRoute({
    name: 'channels.patch',
    method: 'PATCH',
    path: '/api/payment/channels/{address}',
    auth: 'service',
    body: patchChannelBody,
    doc: {
      summary: 'Set or clear auto-funding (consumer)',
      requestExamples: {
        set: {
          summary: 'Deposit 0.001 ETH whenever less than 0.0001 ETH is left',
          value: { autoFund: { threshold: '100000000000000', amount: '1000000000000000' } },
        },
        clear: { summary: 'No more automatic deposits', value: { autoFund: null } },
      },
      responses: {
        '200': json(z.object({ channel: channelSchema }), 'Channel', channelExample),
        '404': unknown,
        '410': retired,
      },
    },
    async handler({ server, caller, params, body }) {
      const channel = await server.channels.forParty(params.address, caller, 'consumer')
      const autoFund = autoFundOf(body.autoFund)
      await server.channels.setAutoFund(channel, autoFund)
      return { channel: await channelJson(server, { ...channel, autoFund }) }
    },
  }),
  definePaymentRoute({
    name: 'channels.deposit',
    method: 'POST',
    path: '/api/payment/channels/{address}/deposit',
    auth: 'service',
    body: depositBody,
    doc: {
      summary: 'Deposit (consumer)',
      description: 'Adds funds to the channel.',
      requestExamples: one('Deposit 0.001 ETH', { amount: '1000000000000000' }),
      responses: transactionResponses('deposit', ['already_terminated', 'The channel has been terminated.']),
    },
    /** Answers once mined. */
    async handler({ server, caller, params, body }) {
      const channel = await server.channels.forParty(params.address, caller, 'consumer')
      return transactionJson(
        'deposit',
        await server.channels.act(channel, caller, 'deposit', [], BigInt(body.amount)),
      )
    },
  }),
  definePaymentRoute({
    name: 'channels.redeem',
    method: 'POST',
    path: '/api/payment/channels/{address}/redemption',
    auth: 'service',
    doc: {
      summary: 'Start a redemption now (provider)',
      description:
        'The active token ID starts expiring; the runner redeems its highest accepted token after the redemption timeout.',
      responses: transactionResponses('startRedemption', [
        'redemption_pending',
        'Token 1 is already being redeemed; complete that redemption first.',
      ]),
    },
    async handler({ server, caller, params }) {
      const channel = await server.channels.forParty(params.address, caller, 'provider')
      const { state } = await server.channelStates.get(channel.address, { maxAgeMs: 0 })
      const start = redemptionStart(channel, state.lastTokenId + 1n)
      const sent = await server.channels.act(channel, caller, start.action, start.args)
      return transactionJson('startRedemption', sent)
    },
  }),
  definePaymentRoute({
    name: 'channels.prices',
    method: 'PATCH',
    path: '/api/payment/channels/{address}/prices',
    auth: 'service',
    body: pricesBody,
    doc: {
      summary: 'Set the price table of the next token ID (provider, version 2 channels)',
      description:
        'The runner announces it at its next redemption start (startRedemptionWithPrices): it applies from the token ID that start makes active, never to one a token was signed for; the consumer sees it in the issue answer before paying at it. `null` withdraws a table not announced yet.',
      requestExamples: one('Large requests at 6,000 wei from the next token ID on', {
        prices: ['1000', '6000'],
      }),
      responses: {
        '200': json(
          pricesSchema,
          'The pending table',
          one('Pending', {
            channel: example.channel,
            categories: ['small', 'large'],
            pendingPrices: ['1000', '6000'],
          }),
        ),
        '400': error('`not_v2` (a version 1 channel has one price), `categories_mismatch`', {
          categories_mismatch: 'Channel 0x… has 2 categories; 3 prices were given.',
        }),
        '404': unknown,
        '410': retired,
      },
    },
    async handler({ server, caller, params, body }) {
      const channel = await server.channels.forParty(params.address, caller, 'provider')
      const prices = body.prices?.map(BigInt) ?? null
      if (channel.contractVersion !== 2)
        throw new BadRequestError({
          code: 'not_v2',
          message: `Channel ${channel.address} is a version 1 channel: its one price is fixed; open a version 2 channel (prices) to change prices.`,
        })
      if (prices && prices.length !== channel.categories.length)
        throw new BadRequestError({
          code: 'categories_mismatch',
          message: `Channel ${channel.address} has ${channel.categories.length} categories; ${prices.length} prices were given.`,
        })
      await server.channels.setPendingPrices(channel, prices)
      return {
        channel: channel.address,
        categories: channel.categories,
        pendingPrices: prices?.map(String) ?? null,
      }
    },
  }),
  definePaymentRoute({
    name: 'channels.terminate',
    method: 'POST',
    path: '/api/payment/channels/{address}/termination',
    auth: 'service',
    doc: {
      summary: 'Terminate',
      description:
        'Consumer: announces termination; the runner terminates after the deadline and withdraws the refund. Provider: terminates at once.',
      responses: transactionResponses('startTermination', [
        'termination_already_started',
        'Termination of this channel has already started.',
      ]),
    },
    /** The provider should redeem first: a pending redemption is void after termination. */
    async handler({ server, caller, params }) {
      const channel = await server.channels.forParty(params.address, caller)
      const action = channel.consumerServiceId === caller.id ? 'startTermination' : 'terminate'
      return transactionJson(action, await server.channels.act(channel, caller, action))
    },
  }),
  definePaymentRoute({
    name: 'channels.withdraw',
    method: 'POST',
    path: '/api/payment/channels/{address}/withdraw',
    auth: 'service',
    doc: {
      summary: 'Withdraw',
      description: 'Provider: its earnings. Consumer: what is left after termination.',
      responses: transactionResponses('withdraw', ['nothing_to_withdraw', 'There is nothing to withdraw.']),
    },
    async handler({ server, caller, params }) {
      const channel = await server.channels.forParty(params.address, caller)
      return transactionJson('withdraw', await server.channels.act(channel, caller, 'withdraw'))
    },
  }),
] as const
