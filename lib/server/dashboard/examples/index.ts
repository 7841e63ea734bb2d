import type { Examples, OperationDoc } from '../../http/openapi'
import { budgetExamples } from './budgets'
import { explorerExamples } from './explorer'
import { otherExamples } from './other'
import { overheadExamples } from './overhead'

/** An operation's examples: its request body's (`request`) and its answers', by status. */
export type OperationExamples = { request?: Examples[string] } & Record<string, Examples[string] | undefined>

/** The dashboard API's examples by operationId (the page and bundle routes carry their own). */
export const dashboardExamples: Record<string, OperationExamples> = {
  ...explorerExamples,
  ...otherExamples,
  ...budgetExamples,
  ...overheadExamples,
}

type Media = Record<string, { examples?: Examples } & Record<string, unknown>>

/** `content` with `example` added to its first media type's examples. */
const withExample = (content: Media | undefined, example: Examples[string] | undefined) => {
  const [type, media] = Object.entries(content ?? {})[0] ?? []
  if (!type || !media || !example) return content
  return { ...content, [type]: { ...media, examples: { ...media.examples, default: example } } }
}

/**
 * The routes' operations with {@link dashboardExamples} added: the request body's example and
 * each answer's, on its first media type. The route tables stay as their features wrote them;
 * the document (../routes) shows the examples, and its test parses each with its schema.
 */
export function withExamples<R extends OperationDoc>(routes: readonly R[]): OperationDoc[] {
  return routes.map(({ method, path, operation }) => {
    const examples = dashboardExamples[operation.operationId]
    if (!examples) return { method, path, operation }
    const { request, ...answers } = examples
    const body = operation.requestBody as { content?: Media } | undefined
    const responses = Object.fromEntries(
      Object.entries(operation.responses ?? {}).map(([status, response]) => {
        const r = response as { content?: Media }
        return [status, r.content ? { ...r, content: withExample(r.content, answers[status]) } : r]
      }),
    )
    return {
      method,
      path,
      operation: {
        ...operation,
        ...(body?.content ? { requestBody: { ...body, content: withExample(body.content, request) } } : {}),
        responses,
        // The same operation with `examples` added to media objects that zod-openapi types loosely here.
      } as OperationDoc['operation'],
    }
  })
}
