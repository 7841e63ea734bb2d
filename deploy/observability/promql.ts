/**
 * The metric names a PromQL expression reads (and the recording rules, `level:metric:op`):
 * every identifier that is not a function call, a keyword, a label (in `{...}`, `by (...)`,
 * `on (...)`...), a string, a range or a Grafana variable. Enough for the expressions this
 * repository ships (no PromQL parser is among the dependencies); a test's expectations pin it.
 *
 * @example metricNames('sum by (route) (rate(payment_request_duration_seconds_count{status=~"5.."}[5m]))')
 * // ['payment_request_duration_seconds_count']
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '')
  const names = new Set<string>()
  for (const match of bare.matchAll(/[\w:.]+/g)) {
    const word = match[0]
    if (!/^[a-zA-Z_:][\w:]*$/.test(word) || KEYWORDS.has(word)) continue
    const next = bare.slice((match.index ?? 0) + word.length).trimStart()
    if (!next.startsWith('(')) names.add(word)
  }
  return [...names]
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'Inf',
  'NaN',
])

/**
 * The series names a Prometheus text exposition declares (`# TYPE` lines), with a histogram's
 * `_bucket`, `_count` and `_sum` and a summary's `_count` and `_sum`: what a query may read
 * even before the first sample.
 */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>()
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string)
    if (type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(`${name}${s}`)
    if (type === 'summary') for (const s of ['_count', '_sum']) names.add(`${name}${s}`)
  }
  return names
}
