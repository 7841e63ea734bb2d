import { explorerRoutes } from '@/lib/server/explorer/routes'
import { handlersOf } from '@/lib/server/http/route'

export const dynamic = 'force-dynamic'

export const { GET } = handlersOf(explorerRoutes, '/api/channels/{address}/events.csv')
