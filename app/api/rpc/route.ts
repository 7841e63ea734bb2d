import { z } from 'zod'
import { proxyRpc } from '@/lib/server/admin/rpcProxy'
import { explorerRoute } from '@/lib/server/explorer/http'
import { jsonBody } from '@/lib/server/http/body'

export const dynamic = 'force-dynamic'

/** POST /api/rpc: the browser's read-only JSON-RPC to the chain node (wagmi's transport). */
export const POST = explorerRoute(
  'rpc',
  async ({ ctx, request }) =>
    (await proxyRpc({ rpcUrl: ctx.rpcUrl, body: await jsonBody(request, z.unknown()) })) as object,
)
