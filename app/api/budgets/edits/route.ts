import { budgetRoutes } from '@/lib/server/budgets/routes'
import { handlersOf } from '@/lib/server/http/route'

export const dynamic = 'force-dynamic'

export const { POST } = handlersOf(budgetRoutes, '/api/budgets/edits')
