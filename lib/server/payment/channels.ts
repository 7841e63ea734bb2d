import type { Address, PublicClient } from 'viem'
import { intermediaryFactoryAbi, intermediaryV2Abi } from '../../../contracts/generated'
import { channelPhase } from '../../channel'
import { ConflictError, DependencyError, ForbiddenError, isAppError, NotFoundError } from '../../errors'
import type { Db } from '../db/client'
import { type ChannelAction, channelCall } from './channelCalls'
import { channelDeployer, type OpenChannelParameters } from './channelDeployer'
import { type ChannelRecord, type Row, toRecord } from './channelRecord'
import type { ChannelStateCache } from './channelStateCache'
import { givenNames } from './givenNames'
import type { Service, ServiceRegistry } from './services'
import { withSessionLock } from './sessionLock'
import type { PriceTables } from './v2/priceTables'
import type { Replacement, SentTransaction, Submitted, Wallet } from './wallet'

const PARTY_RECHECK_MS = 5_000

/**
 * Channels of the team's services. A channel becomes known when one of our services opens it
 * through the factory, or when a token for it is first presented to one of our providers (then
 * it must be a channel of our factory, checked with the factory's `isChannel`, so that nobody
 * can pass off a look-alike contract).
 */
export function createChannelRegistry({
  db,
  databaseUrl,
  chainId,
  client,
  channelStates,
  factory,
  services,
  wallet,
  retiredError = async () => null,
  factoryV2 = async () => null,
  priceTables,
}: {
  db: Db
  /** The database again, for the open lock's connection of its own (see withSessionLock()). */
  databaseUrl: string
  chainId: number
  client: PublicClient
  channelStates: ChannelStateCache
  factory: () => Promise<Address>
  services: ServiceRegistry
  wallet: Wallet
  /** The refusal of a call about `address` when it is a channel of a chain that was reset (./chainEpoch), else null. */
  retiredError?: (address: string) => Promise<Error | null>
  /** The IntermediaryFactoryV2 whose channels are ours too, or null when none is deployed. */
  factoryV2?: () => Promise<Address | null>
  /** Version 2 channels' price tables (recorded at opening). */
  priceTables?: PriceTables
}) {
  const known = new Map<string, { record: ChannelRecord; checkedAt: number }>()
  const opening = new Map<string, Promise<{ channel: ChannelRecord; created: boolean }>>()
  /** `consumerServiceId:provider` → the channel openChannel() found usable last time. */
  const usableChannels = new Map<string, ChannelRecord>()
  const remember = (record: ChannelRecord) => known.set(record.address, { record, checkedAt: Date.now() })
  /** A row's record; a v2 channel's state is read with v2's getters from now on. */
  const recordOf = (row: Row): ChannelRecord => {
    const record = toRecord(row)
    if (record.contractVersion === 2) channelStates.markV2(record.address)
    return record
  }
  const bothOurs = (r: ChannelRecord) => r.consumerServiceId !== null && r.providerServiceId !== null

  async function load(address: string): Promise<ChannelRecord | null> {
    const cached = known.get(address)
    // Terms never change; a party that is not ours may become ours (a service registered
    // later), so such records are checked again every PARTY_RECHECK_MS, not on every call.
    if (cached && (bothOurs(cached.record) || Date.now() - cached.checkedAt < PARTY_RECHECK_MS)) {
      return cached.record
    }
    const row = await db.paymentChannel.findUnique({ where: { chainId_address: { chainId, address } } })
    if (!row) return null
    const record = recordOf(row)
    if (bothOurs(record)) {
      remember(record)
      return record
    }
    return (await save(address as Address)) ?? record
  }

  async function save(
    address: Address,
    v2?: { categories: string[] | null; origins?: ReadonlyArray<Address | null> },
  ): Promise<ChannelRecord | null> {
    const { state } = await channelStates.get(address)
    const categories = v2
      ? (v2.categories ??
        // Names a party recorded on this dashboard (the wallet's open form), else "0", "1", ...
        (await givenNames({
          db,
          chainId,
          channel: address,
          count: Number(
            await client.readContract({ address, abi: intermediaryV2Abi, functionName: 'categories' }),
          ),
        })))
      : []
    const [consumer, provider] = await Promise.all([
      services.byAddress(state.consumer),
      services.byAddress(state.provider),
    ])
    if (!consumer && !provider) return null
    const row = await db.paymentChannel.upsert({
      where: { chainId_address: { chainId, address } },
      create: {
        chainId,
        address,
        consumer: state.consumer,
        provider: state.provider,
        consumerServiceId: consumer?.id ?? null,
        providerServiceId: provider?.id ?? null,
        costPerRequest: state.costPerRequest.toString(),
        redemptionTimeout: state.redemptionTimeout,
        terminationTimeout: state.terminationTimeout,
        contractVersion: v2 ? 2 : 1,
        categories,
      },
      update: { consumerServiceId: consumer?.id ?? null, providerServiceId: provider?.id ?? null },
    })
    if (v2?.origins?.some((o) => o !== null)) {
      // '' for a category without origin: Prisma reads no NULL element of a String[] (the
      // trigger of migration 0013 gives channel_category a NULL origin for it).
      const origins = v2.origins.map((o) => o?.toLowerCase() ?? '')
      await db.paymentChannel.update({
        where: { chainId_address: { chainId, address } },
        data: { categoryOrigins: origins },
      })
      row.categoryOrigins = origins
    }
    const record = recordOf(row)
    remember(record)
    return record
  }

  const { deploy, isV2Channel } = channelDeployer({
    chainId,
    client,
    channelStates,
    factory,
    factoryV2,
    wallet,
  })

  /** Writes settings of a channel's row; what was remembered of it is read again. */
  async function updateRow(
    channel: ChannelRecord,
    data: Parameters<Db['paymentChannel']['update']>[0]['data'],
  ) {
    await db.paymentChannel.update({
      where: { chainId_address: { chainId, address: channel.address } },
      data,
    })
    known.delete(channel.address)
    for (const [key, record] of usableChannels)
      if (record.address === channel.address) usableChannels.delete(key)
  }

  const registry = {
    /**
     * Whether this process holds the channel's record (no statement or node call needed to
     * {@link find} it, bar a periodic recheck of parties that are not ours). The verifier
     * limits how often a key makes it look up channels it does not hold.
     */
    isKnown(channel: string): boolean {
      return known.has(channel.toLowerCase())
    },

    /** The channel if one of our services is a party of it (looked up on chain the first time). */
    async find(channel: string): Promise<ChannelRecord | null> {
      const address = channel.toLowerCase() as Address
      const record = await load(address)
      if (record) return record
      let ours: boolean
      try {
        ours = await client.readContract({
          address: await factory(),
          abi: intermediaryFactoryAbi,
          functionName: 'isChannel',
          args: [address],
        })
      } catch (error) {
        // A reset chain may not have its factory again yet: a retired channel is still an answer.
        throw (
          (await retiredError(address)) ??
          new DependencyError({
            code: 'chain_unavailable',
            message: 'The chain node did not answer.',
            cause: error,
          })
        )
      }
      if (ours) return save(address)
      if (await isV2Channel(address)) {
        channelStates.markV2(address)
        return save(address, { categories: null })
      }
      const retired = await retiredError(address)
      if (retired) throw retired
      return null
    },

    /** Forgets every remembered channel (their chain was reset: ./chainEpoch). */
    forget(): void {
      known.clear()
      usableChannels.clear()
    },

    /** {@link find} for a party of the channel, else NotFound / Forbidden with a reason. */
    async forParty(
      channel: string,
      service: Service,
      role?: 'consumer' | 'provider',
    ): Promise<ChannelRecord> {
      const record = await registry.find(channel)
      if (!record) {
        throw new NotFoundError({
          code: 'channel_unknown',
          message: `${channel} is not a channel of this Payment Server's factory with one of its services as a party.`,
        })
      }
      const isConsumer = record.consumerServiceId === service.id
      const isProvider = record.providerServiceId === service.id
      if (
        (role === 'consumer' && !isConsumer) ||
        (role === 'provider' && !isProvider) ||
        (!isConsumer && !isProvider)
      ) {
        throw new ForbiddenError({
          code: 'forbidden',
          message: `Service ${service.name} is not the ${role ?? 'consumer or provider'} of channel ${record.address}.`,
        })
      }
      return record
    },

    /** Channels where `service` is a party, newest first. */
    async listFor(service: Service): Promise<ChannelRecord[]> {
      const rows = await db.paymentChannel.findMany({
        where: { chainId, OR: [{ consumerServiceId: service.id }, { providerServiceId: service.id }] },
        orderBy: { createdAt: 'desc' },
      })
      return rows.map(recordOf)
    },

    /** Every channel with one of our services as a party (for the runner). */
    async all(): Promise<ChannelRecord[]> {
      return (await db.paymentChannel.findMany({ where: { chainId } })).map(recordOf)
    },

    /**
     * The consumer's usable channel to `provider`: the newest one that is not terminating (of
     * contract `version` when given), or null. Usable means on chain: not terminated and
     * termination not started. Issuing asks this for every token, so the answer is remembered
     * (its phase is still checked each time, from the chain cache); `fresh` reads the database again.
     */
    async openChannel(
      consumer: Service,
      provider: Address,
      { fresh = false, version }: { fresh?: boolean; version?: 1 | 2 } = {},
    ): Promise<ChannelRecord | null> {
      const key = `${consumer.id}:${provider.toLowerCase()}:${version ?? 'any'}`
      const usable = async (record: ChannelRecord) => {
        try {
          const phase = channelPhase((await channelStates.get(record.address)).state)
          return phase === 'open' || phase === 'redeeming'
        } catch (error) {
          // Remembered from before a reset of the chain: not usable, another one is looked for.
          if (isAppError(error) && error.code === 'channel_retired') return false
          throw error
        }
      }
      const remembered = fresh ? undefined : usableChannels.get(key)
      if (remembered && (await usable(remembered))) return remembered
      const rows = await db.paymentChannel.findMany({
        where: {
          chainId,
          consumerServiceId: consumer.id,
          provider: provider.toLowerCase(),
          ...(version ? { contractVersion: version } : {}),
        },
        orderBy: { createdAt: 'desc' },
      })
      for (const row of rows) {
        const record = recordOf(row)
        if (await usable(record)) {
          usableChannels.set(key, record)
          return record
        }
      }
      usableChannels.delete(key)
      return null
    },

    /** Get-or-create: the open channel from `consumer` to `provider`, deployed through the factory if none. */
    async open(p: OpenChannelParameters): Promise<{ channel: ChannelRecord; created: boolean }> {
      const key = `${p.consumer.id}:${p.provider.toLowerCase()}`
      // A caller that joins an open in flight did not deploy it: only the first says `created`.
      const running = opening.get(key)
      if (running) return running.then(({ channel }) => ({ channel, created: false }))
      const task = (async () => {
        // Get-or-create per version: asking for a price table opens a v2 channel beside a v1
        // one, which is how a pair moves to v2; each version's open finds its own channel (a
        // newest-of-any lookup made a pair with both deploy a new channel on every other open).
        const version = p.prices ? 2 : 1
        const existing = await registry.openChannel(p.consumer, p.provider, { version })
        if (existing) return { channel: existing, created: false }
        // One opener per pair across instances: the others wait, then find its channel.
        return withSessionLock({ databaseUrl, name: `open:${chainId}:${key}` }, async () => {
          const again = await registry.openChannel(p.consumer, p.provider, { fresh: true, version })
          if (again) return { channel: again, created: false }
          const { address, hash, prices } = await deploy(p)
          const channel = await save(
            address,
            p.prices
              ? { categories: p.prices.map((c) => c.name), origins: p.prices.map((c) => c.origin ?? null) }
              : undefined,
          )
          if (channel && prices) await priceTables?.opened(address, prices)
          // The open was recorded before its channel existed; file it under the channel.
          await wallet.fileUnder(hash, address)
          if (!channel)
            throw new ConflictError({
              code: 'open_failed',
              message: 'The opened channel has no party of ours.',
            })
          if (p.autoFund) await registry.setAutoFund(channel, p.autoFund)
          return { channel: { ...channel, autoFund: p.autoFund }, created: true }
        })
      })().finally(() => opening.delete(key))
      opening.set(key, task)
      return task
    },

    /** Sets (or clears) the price table a v2 channel's runner announces at its next redemption start. */
    setPendingPrices: (channel: ChannelRecord, prices: readonly bigint[] | null) =>
      updateRow(channel, { pendingPrices: prices?.map(String) ?? [] }),

    setAutoFund: (channel: ChannelRecord, autoFund: { threshold: bigint; amount: bigint } | null) =>
      updateRow(channel, {
        autoFundThreshold: autoFund?.threshold.toString() ?? null,
        autoFundAmount: autoFund?.amount.toString() ?? null,
      }),

    /**
     * A transaction on the channel by one of its parties (simulated first, tracked, and answered
     * once mined or after the wallet's bounded wait; see Wallet.send).
     */
    async act(
      channel: ChannelRecord,
      service: Service,
      action: ChannelAction,
      args: readonly unknown[] = [],
      value?: bigint,
    ): Promise<SentTransaction> {
      try {
        return await wallet.send(channelCall(channel, service, action, args, value))
      } finally {
        channelStates.invalidate(channel.address)
      }
    },

    /**
     * Like {@link act}, without waiting for the receipt (the runner's watcher follows it):
     * `tokenId` is a redemption's, `replace` a stuck transaction to take the place of.
     */
    async submit(
      channel: ChannelRecord,
      service: Service,
      action: ChannelAction,
      args: readonly unknown[] = [],
      { value, tokenId, replace }: { value?: bigint; tokenId?: bigint; replace?: Replacement } = {},
    ): Promise<Submitted> {
      try {
        return await wallet.submit(
          { ...channelCall(channel, service, action, args, value), tokenId },
          { replace },
        )
      } finally {
        channelStates.invalidate(channel.address)
      }
    },
  }
  return registry
}

export type ChannelRegistry = ReturnType<typeof createChannelRegistry>

export type { ChannelAction } from './channelCalls'
export type { OpenChannelParameters } from './channelDeployer'
export type { ChannelRecord } from './channelRecord'
