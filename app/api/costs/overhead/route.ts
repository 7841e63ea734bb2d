import { costRoutes } from '@/lib/server/costs/routes'
import { handlersOf } from '@/lib/server/http/route'

export const dynamic = 'force-dynamic'

export const { GET } = handlersOf(costRoutes, '/api/costs/overhead')
