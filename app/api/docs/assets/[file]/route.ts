import { dashboardRoutes } from '@/lib/server/dashboard/routes'
import { handlersOf } from '@/lib/server/http/route'

export const dynamic = 'force-dynamic'

export const { GET } = handlersOf(dashboardRoutes, '/api/docs/assets/{file}')
