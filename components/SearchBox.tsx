import Form from 'next/form'

/**
 * The search form: a GET to /search?q=… (a plain form without JavaScript, a client-side
 * navigation with it). Takes a block number, a transaction hash, an address or a service name.
 */
export function SearchBox({
  defaultValue = '',
  autoFocus = false,
  testId = 'search',
}: {
  defaultValue?: string
  autoFocus?: boolean
  /** Prefix of the test ids: 'search' in the header, 'search-page' on /search. */
  testId?: string
}) {
  return (
    // No prefetch: /search has no loading UI to preload and only redirects, and the header's
    // form on every page fetched it twice as each page loaded.
    <Form action="/search" prefetch={false} className="search" role="search" data-testid={testId}>
      <input
        type="search"
        name="q"
        defaultValue={defaultValue}
        placeholder="Block, tx, address, service"
        aria-label="Search by block number, transaction hash, address or service name"
        autoComplete="off"
        spellCheck={false}
        // biome-ignore lint/a11y/noAutofocus: only on the search page, where searching is the task
        autoFocus={autoFocus}
        required
        data-testid={`${testId}-input`}
      />
      <button type="submit" data-testid={`${testId}-submit`}>
        Search
      </button>
    </Form>
  )
}
