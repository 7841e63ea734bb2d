import { errorBody, isAppError } from '@/lib/errors'
import { serverContext } from '@/lib/server/context'
import { costReport, windowQuery } from '@/lib/server/costs'
import { oneLine } from '@/lib/server/log'

export const dynamic = 'force-dynamic'

/** GET /api/costs/report.csv?groupBy=service|team|pair&window=|from=&to=: the cost table as CSV. */
export async function GET(request: Request): Promise<Response> {
  const query = new URL(request.url).searchParams
  try {
    const { csv, filename } = await costReport(serverContext(), windowQuery(query), query.get('groupBy'))
    return new Response(csv, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
        'cache-control': 'no-store',
      },
    })
  } catch (error) {
    const { status, body } = errorBody(error)
    if (!isAppError(error)) console.error(`[costs] report.csv failed: ${oneLine(error)}`)
    return Response.json(body, { status, headers: { 'cache-control': 'no-store' } })
  }
}
