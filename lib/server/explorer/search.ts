import { BadRequestError, NotFoundError } from '../../errors'
import type { SearchResult } from '../../explorer/api'
import type { ServerContext } from '../context'
import { indexedChain } from '../indexedChain'
import { serviceAddress } from '../services'
import { blockNumberByHash } from './blocks'
import { rpcOf } from './node'

/**
 * Where a search box entry leads: a block number, a transaction or block hash, an address
 * (a channel's own page for channels), or a service's name (its page, /services/<name>). A miss is a 404 that says what was
 * looked for and where; input of none of these forms is a 400 that says what is accepted.
 */
export async function search(ctx: ServerContext, query: string): Promise<SearchResult> {
  const q = query.trim()
  if (q === '') {
    throw new BadRequestError({
      code: 'invalid_query',
      message: 'Type a block number, a transaction hash or an address.',
    })
  }
  const view = await indexedChain(ctx)

  const number = /^#?(\d[\d,]{0,40})$/.exec(q)?.[1]?.replaceAll(',', '')
  if (number !== undefined && /^\d{1,30}$/.test(number)) {
    const n = BigInt(number)
    const top = view.head?.number ?? view.indexed
    if (top !== null && n <= top) return { kind: 'block', path: `/blocks/${n}` }
    throw new NotFoundError({
      code: 'not_found',
      message:
        top === null
          ? `Block ${n} is not indexed and the chain node does not answer.`
          : `Block ${n} does not exist yet: the newest block is ${top}.`,
    })
  }

  if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
    const hash = q.toLowerCase()
    const indexed = await ctx.db.transaction.findUnique({
      where: { chainId_hash: { chainId: view.chainId, hash } },
      select: { hash: true },
    })
    if (indexed) return { kind: 'transaction', path: `/tx/${hash}` }
    if (view.head) {
      const [tx] = await rpcOf(ctx)
        .getTransactions([hash as `0x${string}`])
        .catch(() => [null])
      if (tx) return { kind: 'transaction', path: `/tx/${hash}` }
    }
    const block = await blockNumberByHash(ctx, view.chainId, hash)
    if (block !== null) return { kind: 'block', path: `/blocks/${block}` }
    throw new NotFoundError({
      code: 'not_found',
      message: `No transaction or block with hash ${hash} on chain ${view.chainId}.`,
    })
  }

  if (/^0x[0-9a-fA-F]{40}$/.test(q)) {
    const address = q.toLowerCase()
    const channel = await ctx.db.channel.findUnique({
      where: { chainId_address: { chainId: view.chainId, address } },
      select: { address: true },
    })
    return { kind: 'address', path: channel ? `/channels/${address}` : `/address/${address}` }
  }

  if (/^[a-zA-Z][a-zA-Z0-9-]{0,39}$/.test(q)) {
    // The service's own page (what it pays and earns, its label); its address is one click on.
    if (await serviceAddress(ctx, q)) return { kind: 'service', path: `/services/${q.toLowerCase()}` }
    throw new NotFoundError({ code: 'not_found', message: `No service is named “${q}”.` })
  }

  throw new BadRequestError({
    code: 'invalid_query',
    message: `“${q.slice(0, 80)}” is not a block number, a transaction hash (0x and 64 hex digits), an address (0x and 40 hex digits) or a service name.`,
  })
}
