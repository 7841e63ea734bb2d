import { exampleToken, story } from '../http/examples'
import type { Examples } from '../http/openapi'

/**
 * The values the Payment Server's OpenAPI examples show (./openapi, the `doc` blocks of ./api),
 * from the story all the documents' examples tell (../http/examples). Each example is parsed by
 * its schema in ./openapi.test.ts.
 */
const { chainId, channel, consumer, provider, costPerRequest } = story

export { exampleToken }

/** Bodies shared by several routes' examples. */
export const example = {
  chainId,
  channel,
  consumer,
  provider,
  costPerRequest,
  transactionHash: '0x4e3a3754410177e6937ef1f84bba68ea139e8d1a2258c5f85db9f1cd715a1bdd',
  service: {
    name: 'billing',
    team: 'team-b',
    address: provider,
    keySource: 'keystore',
    keyEnv: null,
    price: costPerRequest,
    apiKeyPrefix: 'psk_billing_Xq3vA',
    createdAt: '2026-12-07T09:14:02.318Z',
  },
  channelJson: {
    chainId,
    address: channel,
    consumer: { address: consumer, service: 'shop' },
    provider: { address: provider, service: 'billing' },
    costPerRequest,
    redemptionTimeout: '60',
    terminationTimeout: '900',
    autoFund: { threshold: '100000000000000', amount: '1000000000000000' },
    chain: {
      phase: 'open',
      consumerFunds: '1000000000000000',
      providerFunds: '0',
      activeTokenId: '1',
      expiringTokenId: '0',
      redeemableAt: '0',
      lastTokenId: '1',
      terminatesAt: '0',
      terminated: false,
      blockNumber: '1842',
    },
    server: {
      issued: [{ tokenId: '1', requests: '42' }],
      accepted: [
        {
          tokenId: '1',
          highest: '42',
          accepted: '42',
          missingRanges: 0,
          pendingValue: '42000000000000',
          closed: false,
          redeemedTx: null,
          redeemedAmount: null,
        },
      ],
      lastError: null,
      retryAt: null,
    },
    v2: null,
  },
}

/** Typical refusals, by code, that several routes answer. */
export const refusal = {
  channel_retired: `Channel ${channel} belonged to chain ${chainId} before it was reset (retired 2026-12-07T10:02:11.000Z); open a new channel.`,
  channel_unknown: `${channel} is not a channel of this Payment Server's factory with one of its services as a party.`,
}

/** One named example of a body. */
export const one = (summary: string, value: unknown): Examples => ({ default: { summary, value } })

/** The answer of a call that sent a channel's transaction and saw it mined. */
export const minedExample = (action: string): Examples =>
  one(`${action} mined`, { action, transactionHash: example.transactionHash, blockNumber: '1843' })

/** The refusals every authenticated route can answer, by status (see `common` in ./openapi). */
export const commonRefusals: Record<string, Record<string, string>> = {
  '400': { invalid_request: 'provider: must be a service name or a 0x address.' },
  '401': { unauthorized: 'The API key is not valid.' },
  '403': { forbidden: "This call acts for a service: use the service's API key." },
  '413': { body_too_large: 'The request body exceeds 65536 bytes.' },
  '429': { rate_limited: "This API key's calls exceed 20000 tokens per second; slow down." },
  '500': { internal_error: 'Something went wrong on the server.' },
  '503': { database_unavailable: 'The database did not answer; try again.' },
}
