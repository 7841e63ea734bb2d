import { adminRoutes } from '@/lib/server/admin/routes'
import { handlersOf } from '@/lib/server/http/route'

export const dynamic = 'force-dynamic'

export const { POST } = handlersOf(adminRoutes, '/api/channels/{address}/redemption-token')
