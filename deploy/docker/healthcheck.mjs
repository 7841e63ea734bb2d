// The image's HEALTHCHECK (the slim base has no curl): exits 0 when the URL answers 2xx within
// 4 s, else 1. Default: this container's web liveness, http://127.0.0.1:$PORT/api/livez.
// Usage: node deploy/docker/healthcheck.mjs [url]
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}/api/livez`
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) })
  process.exit(response.ok ? 0 : 1)
} catch {
  process.exit(1)
}
