import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
// A dependency of sdk-trace-base: the W3C propagator a service's SDK set-up registers.
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import express from 'express'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { paymentRequired } from '../src/middleware/express'
import { parseToken } from '../src/token'
import { PAYMENT_ATTRIBUTES as A } from '../src/tracing'
import { type Framework, frameworks, type Served } from './frameworks'
import { type PaidStack, startPaidStack } from './paidStack'

/*
 * A paid call consumer -> provider with an OpenTelemetry SDK registered as a service would
 * (tracer provider, AsyncLocalStorage context manager, W3C propagator): the consumer's CLIENT
 * span and the provider's payment.verify span are one trace, linked through the traceparent
 * header the consumer's fetch sent, with the token's channel, ID, count and value.
 */

const exporter = new InMemorySpanExporter()
let stack: PaidStack

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  )
  stack = await startPaidStack()
})
afterAll(async () => {
  await stack?.stop()
  trace.disable()
  propagation.disable()
  context.disable()
})
beforeEach(() => exporter.reset())

/** The one finished span named `name`. */
function spanNamed(name: string): ReadableSpan {
  const spans = exporter.getFinishedSpans().filter((s) => s.name === name)
  expect(spans.map((s) => s.name)).toEqual([name])
  return spans[0] as ReadableSpan
}

describe.each(frameworks)('tracing a paid call to $name', (framework: Framework) => {
  let provider: Served
  beforeAll(async () => {
    provider = await framework.serve([
      { path: '/paid', verifier: stack.verifier, price: 1_000n },
      { path: '/dear', verifier: stack.verifier, price: 1_001n },
    ])
  })
  afterAll(async () => provider?.close())

  it(`${framework.name}: the provider's payment.verify span continues the consumer's payment.fetch span, both with the token's attributes`, async () => {
    // The consumer's own request span, as its HTTP instrumentation would have made it.
    const outer = trace.getTracer('test').startSpan('GET /checkout', { kind: SpanKind.SERVER })
    const response = await context.with(trace.setSpan(context.active(), outer), () =>
      stack.consumer.fetch(stack.provider, `${provider.url}/paid`),
    )
    outer.end()
    expect(response.status).toBe(200)
    const { requests } = await response.json()

    const client = spanNamed('payment.fetch')
    const server = spanNamed('payment.verify')
    expect(client.kind).toBe(SpanKind.CLIENT)
    expect(client.spanContext().traceId).toBe(outer.spanContext().traceId)
    expect(client.parentSpanContext?.spanId).toBe(outer.spanContext().spanId)
    // No HTTP instrumentation on the provider: its span is the SERVER side of the consumer's call.
    expect(server.kind).toBe(SpanKind.SERVER)
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId)
    expect(server.parentSpanContext).toMatchObject({ spanId: client.spanContext().spanId, isRemote: true })
    // The route's handler runs in the consumer's trace too.
    const handler = spanNamed('test.handler')
    expect(handler.spanContext().traceId).toBe(client.spanContext().traceId)
    expect(handler.parentSpanContext?.spanId).toBe(client.spanContext().spanId)

    const token = {
      [A.channel]: stack.channel.address,
      [A.tokenId]: '1',
      [A.requests]: requests,
    }
    expect(client.attributes).toEqual({
      ...token,
      [A.provider]: stack.provider,
      'http.response.status_code': 200,
    })
    expect(server.attributes).toEqual({
      ...token,
      [A.priceWei]: '1000',
      [A.valueWei]: (BigInt(requests) * 1_000n).toString(),
    })
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR)
    expect(client.status.code).not.toBe(SpanStatusCode.ERROR)
  })

  it(`${framework.name}: a refusal marks both spans as errors with the refusal code`, async () => {
    const token = await stack.consumer.token(stack.provider)
    exporter.reset()
    const response = await stack.consumer.fetch(stack.provider, `${provider.url}/dear`)
    expect(response.status).toBe(402)
    // The caller still reads the body (the span read a copy of it).
    expect((await response.json()).error.code).toBe('terms_rejected')

    const client = spanNamed('payment.fetch')
    const server = spanNamed('payment.verify')
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId)
    for (const span of [client, server]) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR)
      expect(span.attributes[A.refusalCode]).toBe('terms_rejected')
    }
    expect(server.attributes).toMatchObject({
      [A.channel]: stack.channel.address,
      [A.requests]: (parseToken(token).token.requests + 1n).toString(),
      [A.priceWei]: '1001',
    })
    expect(server.attributes[A.valueWei]).toBeUndefined()
    expect(exporter.getFinishedSpans().map((s) => s.name)).not.toContain('test.handler')
  })
})

describe('tracing under HTTP instrumentation', () => {
  it("with the request's SERVER span already active, payment.verify is its INTERNAL child, not a second SERVER span", async () => {
    // What an HTTP instrumentation does before any middleware: extract, start the request's span, run in it.
    const app = express()
    app.use((req, res, next) => {
      const remote = propagation.extract(context.active(), req.headers)
      const span = trace.getTracer('test').startSpan('GET /paid', { kind: SpanKind.SERVER }, remote)
      res.on('finish', () => span.end())
      context.with(trace.setSpan(remote, span), next)
    })
    app.get('/paid', paymentRequired(stack.verifier), (req, res) => {
      res.json({ requests: String(req.payment?.requests) })
    })
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/paid`
      const response = await stack.consumer.fetch(stack.provider, url)
      expect(response.status).toBe(200)
      await response.json()
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
    const client = spanNamed('payment.fetch')
    const request = spanNamed('GET /paid')
    const verify = spanNamed('payment.verify')
    expect(request.parentSpanContext?.spanId).toBe(client.spanContext().spanId)
    expect(verify.kind).toBe(SpanKind.INTERNAL)
    expect(verify.spanContext().traceId).toBe(client.spanContext().traceId)
    expect(verify.parentSpanContext?.spanId).toBe(request.spanContext().spanId)
  })
})
