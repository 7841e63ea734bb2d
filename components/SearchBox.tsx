import Form from 'next/form'

/**
 * The search form: a GET to /search?q=… (a plain form without JavaScript, a client-side
 * navigation with it). Takes a block number, a transaction hash or an address.
 */
export function SearchBox({
  defaultValue = '',
  autoFocus = false,
}: {
  defaultValue?: string
  autoFocus?: boolean
}) {
  return (
    <Form action="/search" className="search" role="search">
      <input
        type="search"
        name="q"
        defaultValue={defaultValue}
        placeholder="Block, tx hash or address"
        aria-label="Search by block number, transaction hash or address"
        autoComplete="off"
        spellCheck={false}
        // biome-ignore lint/a11y/noAutofocus: only on the search page, where searching is the task
        autoFocus={autoFocus}
        required
        data-testid="search-input"
      />
      <button type="submit" data-testid="search-submit">
        Search
      </button>
    </Form>
  )
}
