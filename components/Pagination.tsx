import Link from 'next/link'

/** The page a list is on: its cursor, and the cursors of the newer pages before it (`back`). */
export type PageParams = { cursor: string | null; back: string[] }

type SearchParams = Record<string, string | string[] | undefined>

/** The first value of a search parameter, or null when it is missing or empty. */
export const firstParam = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || null
const first = firstParam

/**
 * Reads `?cursor=…&back=…` from a page's search params. `back` lists the cursors of the newer
 * pages (comma-separated, each URI-encoded), so "Newer" works without JavaScript or storage.
 */
export function readPageParams(searchParams: SearchParams): PageParams {
  const back = first(searchParams.back)
  return {
    cursor: first(searchParams.cursor),
    back: back ? back.split(',').map((c) => (c === '' ? '' : decodeURIComponent(c))) : [],
  }
}

function href(basePath: string, cursor: string | null, back: string[]): string {
  const query = new URLSearchParams()
  if (cursor) query.set('cursor', cursor)
  // [''] (only the first page before) is what no `back` means too.
  if (back.length > 1 || back[0]) query.set('back', back.map(encodeURIComponent).join(','))
  const text = query.toString()
  return text ? `${basePath}?${text}` : basePath
}

/**
 * "Newest · Newer · Older" links for a cursor-paginated list; nothing when there is one page.
 * @example <Pagination basePath="/blocks" page={readPageParams(await searchParams)} nextCursor={page.nextCursor} />
 */
export function Pagination({
  basePath,
  page,
  nextCursor,
}: {
  basePath: string
  page: PageParams
  nextCursor: string | null
}) {
  const { cursor, back } = page
  if (!cursor && !nextCursor) return null
  // The first page has no cursor; it is written as '' in `back`.
  const newer = cursor ? href(basePath, back.at(-1) || null, back.slice(0, -1)) : null
  const older = nextCursor ? href(basePath, nextCursor, [...back, cursor ?? '']) : null
  return (
    <nav className="pagination" aria-label="Pages">
      {cursor && (
        <Link href={basePath} prefetch={false} data-testid="pagination-newest">
          « Newest
        </Link>
      )}
      {newer ? (
        <Link href={newer} prefetch={false} data-testid="pagination-newer">
          ‹ Newer
        </Link>
      ) : (
        <span className="muted">‹ Newer</span>
      )}
      {older ? (
        <Link href={older} prefetch={false} data-testid="pagination-older">
          Older ›
        </Link>
      ) : (
        <span className="muted">Older ›</span>
      )}
    </nav>
  )
}
