import SwaggerParser from '@apidevtools/swagger-parser'
import { expect, it } from 'vitest'
import { paymentOpenApi } from './openapi'
import { paymentRoutes } from './routes'

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
