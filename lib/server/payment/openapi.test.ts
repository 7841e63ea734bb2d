import SwaggerParser from '@apidevtools/swagger-parser'
import { expect, it } from 'vitest'
import { exampleProblems } from '../../../test/kit/openapi'
import { paymentOpenApi, paymentOperations } from './openapi'
import { paymentRoutes } from './routes'
import { issueBody } from './schemas'

it('paymentOpenApi() is a valid OpenAPI 3.1 document of every route of the table', async () => {
  const document = paymentOpenApi()
  await SwaggerParser.validate(structuredClone(document) as never)
  const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
  )
  expect(documented.sort()).toEqual(paymentRoutes.map((r) => `${r.method} ${r.path}`).sort())
})

it('paymentOpenApi() gives every operation an operationId (the route name), tags and a summary', () => {
  const operations = Object.values(paymentOpenApi().paths ?? {}).flatMap((item) => Object.values(item ?? {}))
  expect(operations).toHaveLength(paymentRoutes.length)
  for (const operation of operations) {
    expect(operation).toMatchObject({
      operationId: expect.stringMatching(/^[a-z][\w.]+$/),
      tags: [expect.any(String)],
      summary: expect.any(String),
    })
  }
  expect(operations.map((o) => o.operationId).sort()).toEqual(paymentRoutes.map((r) => r.name).sort())
})

it('paymentOpenApi() says who may call: a key and its 401/403 on every route but health', () => {
  const { paths = {} } = paymentOpenApi()
  expect(paths['/api/payment/health']?.get?.security).toBeUndefined()
  expect(paths['/api/payment/services']?.get?.security).toEqual([{ adminKey: [] }, { serviceKey: [] }])
  expect(paths['/api/payment/metrics']?.get?.security).toEqual([{ adminKey: [] }])
  expect(paths['/api/payment/tokens/verify']?.post?.security).toEqual([{ serviceKey: [] }])
  for (const [path, item] of Object.entries(paths)) {
    if (path === '/api/payment/health') continue
    for (const operation of Object.values(item ?? {}))
      expect(Object.keys(operation.responses ?? {}), path).toEqual(expect.arrayContaining(['401', '403']))
  }
})

it('paymentOpenApi() describes every tag its operations use, at the top level', () => {
  const document = paymentOpenApi()
  const used = new Set(
    Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(item ?? {}).flatMap((o) => o.tags ?? []),
    ),
  )
  const described = Object.fromEntries((document.tags ?? []).map((t) => [t.name, t.description]))
  for (const tag of used) expect(described[tag], tag).toMatch(/\w+ \w+/)
  expect(Object.keys(described).sort()).toEqual([...used].sort())
})

it('paymentOpenApi() gives every request body and 2xx answer examples its schema accepts, and refusals their codes', () => {
  expect(exampleProblems(paymentOperations())).toEqual([])
  const verify = paymentOpenApi().paths?.['/api/payment/tokens/verify']?.post
  const body = verify?.requestBody as { content: Record<string, { examples: object }> } | undefined
  const examples = body?.content['application/json']?.examples
  expect(examples).toMatchObject({
    one: { value: { token: expect.stringMatching(/^v1\.31337\.0x[0-9a-f]{40}\.1\.42\.0x[0-9a-f]{130}$/) } },
  })
  expect(verify?.responses?.['402']).toMatchObject({
    content: {
      'application/json': {
        examples: { count_already_accepted: { value: { error: { code: 'count_already_accepted' } } } },
      },
    },
  })
})

it('exampleProblems() finds an operation without examples and an example its schema refuses', () => {
  const [issue] = paymentOperations().filter((o) => o.operation.operationId === 'tokens.issue')
  const bad = { summary: 'No provider', value: { count: 3 } }
  const bare = {
    ...issue!,
    operation: {
      ...issue!.operation,
      requestBody: { content: { 'application/json': { schema: issueBody, examples: { bad } } } },
      responses: { '200': { description: 'Tokens' } },
    },
  }
  expect(exampleProblems([bare])).toEqual([
    expect.stringMatching(/request example bad does not match its schema/),
    'POST /api/payment/tokens (tokens.issue): no example of a 2xx answer',
  ])
})
