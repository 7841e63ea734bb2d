import { handlersOf } from '@/lib/server/http/route'
import { serviceRoutes } from '@/lib/server/services/routes'

export const dynamic = 'force-dynamic'

export const { GET, POST } = handlersOf(serviceRoutes, '/api/services/labels')
