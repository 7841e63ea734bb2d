/**
 * A page's dynamic path segment as text. Next.js hands pages their segments percent-encoded
 * (route handlers get them decoded); a segment that does not decode (a lone `%`) is taken as
 * it came rather than failing the page with a URIError.
 */
export function pageSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}
