import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { connection } from 'next/server'
import { SearchBox } from '@/components/SearchBox'
import { isAppError } from '@/lib/errors'
import { serverContext } from '@/lib/server/context'
import { search } from '@/lib/server/explorer'

export const metadata: Metadata = { title: 'Search' }

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> }

/** /search?q=…: opens the block, transaction or address the query names, or says why not. */
export default async function SearchPage({ searchParams }: Props) {
  await connection()
  const raw = (await searchParams).q
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? ''
  let message: { title: string; text: string } | null = null
  let path: string | null = null
  if (q !== '') {
    try {
      path = (await search(serverContext(), q)).path
    } catch (error) {
      if (!isAppError(error) || (error.status !== 404 && error.status !== 400)) throw error
      message =
        error.status === 404
          ? { title: `No block, transaction or address matches “${q}”.`, text: error.message }
          : { title: `“${q}” cannot be searched for.`, text: error.message }
    }
  }
  // Outside the try: redirect() throws to do its work.
  if (path) redirect(path)
  return (
    <>
      <h1 className="page-title">Search</h1>
      <p className="page-lead">
        A block number, a transaction or block hash (0x and 64 hex digits), an address (0x and 40 hex digits)
        or a service name.
      </p>
      {message && (
        <div className="box box-bad" data-testid="search-message" role="status">
          <p className="box-title break">{message.title}</p>
          <p className="muted break">{message.text}</p>
        </div>
      )}
      <SearchBox defaultValue={q} autoFocus testId="search-page" />
    </>
  )
}
