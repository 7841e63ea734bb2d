import { adminRoutes } from '@/lib/server/admin/routes'
import { handlersOf } from '@/lib/server/http/route'

export const dynamic = 'force-dynamic'

export const { PUT } = handlersOf(adminRoutes, '/api/channels/{address}/categories')
