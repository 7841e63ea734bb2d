import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../../../contracts/generated'
import { expectError } from '../../../test/kit/errors'
import { serviceCostsSchema } from '../../costs/api'
import { serviceCosts } from '.'
import { type CostsTestbed, DAY, DEPOSIT, GWEI, HOUR, startCostsTestbed } from './testing'

/*
 * serviceCosts on the thesis example (testing.ts): own and fully loaded cost, callers, and each
 * channel's funds, burn rate and runway.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true, pending: true })
}, 120_000)
afterAll(() => bed?.stop())

describe('serviceCosts', () => {
  const funds = async (channel: Address) =>
    bed.chain.publicClient.readContract({
      address: channel,
      abi: intermediaryAbi,
      functionName: 'consumerFunds',
    })

  it('alice: own 300 gwei, loaded 375 gwei (3/4 of charlie’s 100 gwei), her channel with funds from the chain', async () => {
    const s = await serviceCosts(bed.ctx, 'alice', { window: 'all' })
    expect(serviceCostsSchema.parse(s)).toEqual(s)
    expect(s.version).toBe(1)
    expect(s.service).toEqual({
      address: bed.addr.alice,
      name: 'alice',
      team: 'apps',
      paid: '300000000000',
      earned: '0',
      net: '-300000000000',
      requestsMade: '30',
      requestsServed: '0',
      pendingPaid: '40000000000',
      pendingEarned: '0',
    })
    const threeQuarters = { num: '3', den: '4', approx: 0.75 }
    expect(s.loaded).toEqual({
      own: '300000000000',
      attributed: '75000000000',
      total: '375000000000',
      direct: [
        {
          provider: bed.addr.charlie,
          name: 'charlie',
          amount: '300000000000',
          requests: '30',
          shareOfIncoming: threeQuarters,
        },
      ],
      parts: [
        {
          service: bed.addr.charlie,
          name: 'charlie',
          ownSpend: '100000000000',
          share: threeQuarters,
          attributed: '75000000000',
          traced: '0',
          basis: 'estimate',
        },
      ],
    })
    expect(s.callers).toEqual([])
    const onChain = await funds(bed.ch.ac)
    expect(onChain).toBe(DEPOSIT - 300n * GWEI)
    expect(s.channels).toEqual([
      {
        address: bed.ch.ac,
        role: 'consumer',
        counterparty: bed.addr.charlie,
        counterpartyName: 'charlie',
        price: '10000000000',
        consumerFunds: onChain.toString(),
        pending: '40000000000',
        burnPerHour: '0', // redeemed more than 24 h ago
        runwaySeconds: null,
        terminated: false,
        terminatesAt: '0',
      },
    ])
    // By address (checksummed or not) it is the same answer.
    expect(await serviceCosts(bed.ctx, bed.chain.accounts[1]!.address, { window: 'all' })).toEqual(s)
  })

  it('bob carries 1/4 of charlie: 125 gwei; dave 0; charlie 100 gwei with both callers', async () => {
    const bob = await serviceCosts(bed.ctx, 'bob', { window: 'all' })
    expect(bob.loaded).toMatchObject({
      own: '100000000000',
      attributed: '25000000000',
      total: '125000000000',
    })
    expect(bob.loaded.direct[0]?.shareOfIncoming).toEqual({ num: '1', den: '4', approx: 0.25 })

    const dave = await serviceCosts(bed.ctx, 'dave', { window: 'all' })
    expect(dave.loaded).toEqual({ own: '0', attributed: '0', total: '0', direct: [], parts: [] })
    expect(dave.callers).toEqual([
      { consumer: bed.addr.charlie, name: 'charlie', amount: '100000000000', requests: '20' },
    ])
    expect(dave.service).toMatchObject({ earned: '100000000000', net: '100000000000', requestsServed: '20' })

    const charlie = serviceCostsSchema.parse(await serviceCosts(bed.ctx, 'charlie', { window: 'all' }))
    expect(charlie.loaded).toEqual({
      own: '100000000000',
      attributed: '0',
      total: '100000000000',
      direct: [
        {
          provider: bed.addr.dave,
          name: 'dave',
          amount: '100000000000',
          requests: '20',
          shareOfIncoming: { num: '1', den: '1', approx: 1 },
        },
      ],
      parts: [],
    })
    expect(charlie.callers).toEqual([
      { consumer: bed.addr.alice, name: 'alice', amount: '300000000000', requests: '30' },
      { consumer: bed.addr.bob, name: 'bob', amount: '100000000000', requests: '10' },
    ])
  })

  it("charlie's channels: both roles, newest first, burn rate and runway by the formula", async () => {
    const s = await serviceCosts(bed.ctx, 'charlie', { window: 'all' })
    const { now } = await bed.indexedHead()
    // The last 24 h, from the start of their first hour (all channels opened long before).
    const start = Math.floor((now - DAY) / HOUR) * HOUR
    expect(start).toBeGreaterThan(bed.openedAt.cd)
    const seconds = BigInt(Math.max(HOUR, now - start))
    const spent = 100n * GWEI // charlie → dave, redeemed at T3, within the last 24 h
    const cdFunds = await funds(bed.ch.cd)
    expect(cdFunds).toBe(DEPOSIT - spent)
    const common = { terminated: false, terminatesAt: '0' }
    expect(s.channels).toEqual([
      {
        address: bed.ch.cd,
        role: 'consumer',
        counterparty: bed.addr.dave,
        counterpartyName: 'dave',
        price: '5000000000',
        consumerFunds: cdFunds.toString(),
        pending: '0',
        burnPerHour: ((spent * 3_600n) / seconds).toString(),
        runwaySeconds: Number((cdFunds * seconds) / spent),
        ...common,
      },
      {
        address: bed.ch.bc,
        role: 'provider',
        counterparty: bed.addr.bob,
        counterpartyName: 'bob',
        price: '10000000000',
        consumerFunds: (await funds(bed.ch.bc)).toString(),
        pending: '0',
        burnPerHour: '0',
        runwaySeconds: null,
        ...common,
      },
      {
        address: bed.ch.ac,
        role: 'provider',
        counterparty: bed.addr.alice,
        counterpartyName: 'alice',
        price: '10000000000',
        consumerFunds: (await funds(bed.ch.ac)).toString(),
        pending: '40000000000',
        burnPerHour: '0',
        runwaySeconds: null,
        ...common,
      },
    ])
    // Sanity: a burn of ~4 gwei an hour against ~0.01 ETH is a runway of about 280 years.
    const runway = s.channels[0]!.runwaySeconds!
    expect(runway / (365 * DAY)).toBeGreaterThan(200)
  })

  it('a custom window in the past counts only its redemptions, the channels stay current', async () => {
    const s = await serviceCosts(bed.ctx, 'alice', { from: '0', to: String(bed.redeemed.ac.time) })
    expect(s.window.live).toBe(false)
    expect(s.loaded).toEqual({ own: '0', attributed: '0', total: '0', direct: [], parts: [] })
    expect(s.service).toMatchObject({ paid: '0', pendingPaid: null })
    expect(s.channels.map((c) => c.pending)).toEqual(['40000000000'])
  })

  it('404 unknown_service for an unknown name and for an unlabelled address without a channel', async () => {
    await expectError(serviceCosts(bed.ctx, 'nobody', { window: 'all' }), 404, 'unknown_service')
    const stranger = bed.chain.accounts[7]!.address
    const message = await expectError(
      serviceCosts(bed.ctx, stranger, { window: 'all' }),
      404,
      'unknown_service',
    )
    expect(message).toContain(stranger.toLowerCase())
  })
})
