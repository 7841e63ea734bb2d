import { costReport, windowQuery } from '@/lib/server/costs'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/costs/report.csv?groupBy=service|team|pair&window=|from=&to=: the cost table as CSV. */
export const GET = explorerRoute('costs.report', async ({ ctx, query }) => {
  const { csv, filename } = await costReport(ctx, windowQuery(query), query.get('groupBy'))
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  })
})
