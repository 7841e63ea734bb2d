/**
 * "Download CSV": a plain link to one of the explorer's CSV exports (an API route, so no
 * client-side navigation and no prefetch), saved under the file name the route gives.
 * @example <CsvDownload href={`/api/address/${address}/transactions.csv`} testId="address-csv" />
 */
export function CsvDownload({ href, testId }: { href: string; testId: string }) {
  return (
    <a
      href={href}
      download
      data-testid={testId}
      title="Every row, not only this page's: full addresses, exact wei, UTC times"
    >
      Download CSV
    </a>
  )
}
