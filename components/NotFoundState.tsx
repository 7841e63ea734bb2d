import Link from 'next/link'
import { SearchBox } from './SearchBox'

/** A page for something that does not exist: what was not found, why that may be, and a search box. */
export function NotFoundState({ title, text }: { title: string; text: string }) {
  return (
    <>
      <h1 className="page-title">Not found</h1>
      <div className="state state-empty" data-testid="not-found">
        <p className="state-title">{title}</p>
        <p className="state-text">{text}</p>
      </div>
      <div className="section">
        <SearchBox testId="search-page" />
        <p className="muted small">
          Or go to the{' '}
          <Link href="/" prefetch={false}>
            overview
          </Link>
          , the{' '}
          <Link href="/blocks" prefetch={false}>
            blocks
          </Link>{' '}
          or the{' '}
          <Link href="/channels" prefetch={false}>
            channels
          </Link>
          .
        </p>
      </div>
    </>
  )
}
