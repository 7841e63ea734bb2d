import { handlersOf } from '@/lib/server/http/route'
import { systemRoutes } from '@/lib/server/system/routes'

export const dynamic = 'force-dynamic'

export const { GET } = handlersOf(systemRoutes, '/api/livez')
