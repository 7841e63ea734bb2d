import { explorerRoute } from '@/lib/server/explorer/http'
import { jsonBody } from '@/lib/server/http/body'
import { listServiceLabels, saveServiceLabel } from '@/lib/server/services'
import { labelEditBody } from '@/lib/services/api'

export const dynamic = 'force-dynamic'

/** GET /api/services/labels: every labelled address, by team and name. */
export const GET = explorerRoute('services.labels', async ({ ctx }) => ({
  labels: await listServiceLabels(ctx),
}))

/** POST /api/services/labels: create or change a label (an admin wallet's signature, or the admin key). */
export const POST = explorerRoute('services.saveLabel', async ({ ctx, request }) => ({
  label: await saveServiceLabel({ ctx, request, body: await jsonBody(request, labelEditBody) }),
}))
