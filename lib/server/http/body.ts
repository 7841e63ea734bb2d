import type { z } from 'zod'
import { AppError, BadRequestError } from '../../errors'
import type { HeaderSource } from './auth'

/** Largest request body any JSON route reads. */
export const MAX_BODY_BYTES = 64 * 1024

export const tooLarge = () =>
  new AppError({
    code: 'body_too_large',
    message: `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
    status: 413,
  })

/**
 * A call as a route reads it, whichever server received it (a web Request, or Node's request on
 * the Payment Server's fast path): its headers, and its body read at most once, limited to
 * MAX_BODY_BYTES (413 `body_too_large` beyond).
 */
export type Call = {
  headers: HeaderSource
  readBody(): Promise<string>
  /** The client's IP address as the server saw it (rate limits count by it); undefined if unknown. */
  readonly clientAddress?: string
}

/**
 * The header through which `npm start`'s web server (stack/web.ts) tells Next.js's routes the
 * client's address; it replaces any such header a client sends.
 */
export const CLIENT_ADDRESS_HEADER = 'x-channel-inspector-client'

/** A web Request as a {@link Call}. */
export function callOf(request: Request): Call {
  return {
    headers: request.headers,
    readBody: () => readLimited(request),
    clientAddress: request.headers.get(CLIENT_ADDRESS_HEADER) ?? undefined,
  }
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES and checks it against `schema`: 413
 * `body_too_large`, 400 `invalid_json`, or 400 with the first issue's code (`invalid_text` from
 * text(), else `invalid_request`) and a sentence naming each field wrong (five at most).
 */
export async function jsonBody<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await jsonValue(call))
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap(branchIssues)
    const code = (issues[0] as { params?: { code?: unknown } } | undefined)?.params?.code
    const named = issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    throw new BadRequestError({
      code: typeof code === 'string' ? code : 'invalid_request',
      message: `The request body is not valid: ${named.join('; ')}.`,
    })
  }
  return parsed.data
}

/**
 * A route's body: checked against its `schema` ({@link jsonBody}); for a route that takes none,
 * empty or any JSON (ignored), else 400 `invalid_json`, so junk sent to the wrong route is
 * refused rather than silently dropped.
 */
export async function routeBody<S extends z.ZodType | undefined>(call: Call, schema: S): Promise<BodyOf<S>> {
  if (schema) return (await jsonBody(call, schema)) as BodyOf<S>
  await jsonValue(call)
  return undefined as BodyOf<S>
}

/** What {@link routeBody} gives for a route's schema (undefined for a route without one). */
export type BodyOf<S> = S extends z.ZodType ? z.output<S> : undefined

/** The body as JSON: `{}` when empty; 400 `invalid_json` when it is not JSON. */
async function jsonValue(call: Call): Promise<unknown> {
  const text = await call.readBody()
  if (text === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new BadRequestError({ code: 'invalid_json', message: 'The request body is not valid JSON.' })
  }
}

type Issue = z.core.$ZodIssue

/**
 * The issues of a body refused by a union (`{ token }` or `{ tokens }`, one JSON-RPC request or a
 * batch): those of the alternative the body came closest to (the one whose issues reach
 * deepest into it, then the one with the fewest), with their full paths, rather than zod's
 * "Invalid input" for the union as a whole, which names no field.
 */
function branchIssues(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue]
  const depth = (issues: Issue[]) => Math.max(...issues.map((i) => i.path.length))
  const closest = issue.errors.reduce((best, branch) =>
    depth(branch) > depth(best) || (depth(branch) === depth(best) && branch.length < best.length)
      ? branch
      : best,
  )
  return closest.flatMap((i) => branchIssues({ ...i, path: [...issue.path, ...i.path] } as Issue))
}

/** A web Request's body as text, at most MAX_BODY_BYTES (413 beyond, read no further). */
async function readLimited(request: Request): Promise<string> {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}
