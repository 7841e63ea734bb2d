import type { z } from 'zod'
import type { OperationDoc } from '../../lib/server/http/openapi'

type Media = { schema?: unknown; examples?: Record<string, { value: unknown }> }
type Content = Record<string, Media> | undefined

const isZod = (schema: unknown): schema is z.ZodType =>
  typeof (schema as { safeParse?: unknown } | undefined)?.safeParse === 'function'

/**
 * What a route table's OpenAPI operations miss for a client in another language, as sentences
 * naming the operation (empty when nothing): an operationId and tags; examples of the request
 * body and of a 2xx answer; examples that their own zod schema accepts (so none drifts from
 * what is served); and error examples whose code the response or the operation names.
 */
export function exampleProblems(routes: Iterable<OperationDoc>): string[] {
  const problems: string[] = []
  for (const { method, path, operation } of routes) {
    const at = `${method.toUpperCase()} ${path} (${operation.operationId})`
    const say = (problem: string) => problems.push(`${at}: ${problem}`)
    if (!operation.operationId) say('no operationId')
    if (operation.tags.length === 0) say('no tags')
    const body = (operation.requestBody as { content?: Content } | undefined)?.content
    for (const [type, media] of Object.entries(body ?? {})) {
      if (Object.keys(media.examples ?? {}).length === 0) say(`no example of its ${type} request body`)
      checkParsed(media, `request example`, say)
    }
    const responses = Object.entries(operation.responses ?? {}) as [
      string,
      { description?: string; content?: Content },
    ][]
    if (!responses.some(([status, r]) => status.startsWith('2') && hasExamples(r.content)))
      say('no example of a 2xx answer')
    for (const [status, response] of responses) {
      for (const [type, media] of Object.entries(response.content ?? {})) {
        if (status.startsWith('2') && Object.keys(media.examples ?? {}).length === 0)
          say(`no example of its ${status} ${type} answer`)
        checkParsed(media, `${status} example`, say)
        for (const [name, { value }] of Object.entries(media.examples ?? {})) {
          const code = (value as { error?: { code?: unknown } } | null)?.error?.code
          if (typeof code !== 'string') continue
          const named = `${response.description ?? ''} ${operation.description ?? ''}`
          if (!named.includes(`\`${code}\``))
            say(`${status} example ${name}: code ${code} is not named in its description`)
        }
      }
    }
  }
  return problems
}

const hasExamples = (content: Content) =>
  Object.values(content ?? {}).some((media) => Object.keys(media.examples ?? {}).length > 0)

function checkParsed(media: Media, what: string, say: (problem: string) => void) {
  if (!isZod(media.schema)) return
  for (const [name, { value }] of Object.entries(media.examples ?? {})) {
    const parsed = media.schema.safeParse(value)
    if (!parsed.success)
      say(
        `${what} ${name} does not match its schema: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`,
      )
  }
}
