import { once } from 'node:events'
import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { trace } from '@opentelemetry/api'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { NextRequest } from 'next/server'
import { paymentRequired } from '../src/middleware/express'
import { fastifyPayment, paymentPreHandler } from '../src/middleware/fastify'
import { honoPayment, type PaymentVariables } from '../src/middleware/hono'
import { koaPayment } from '../src/middleware/koa'
import { withPayment } from '../src/middleware/next'
import type { RoutePrice } from '../src/price'
import type { Payment, PaymentVerifier } from '../src/provider'

/**
 * One small service per framework, each from node_modules and listening on a real port, with the
 * same routes: a GET per {@link PaidRoute}, guarded by that framework's payment middleware,
 * whose handler answers the payment it was handed as JSON.
 */

/** A route of the test service: its path, the verifier and price its middleware uses. */
export type PaidRoute = { path: string; verifier: PaymentVerifier; price?: RoutePrice }

/** A started test service: its base URL, and the payments its handlers were handed, in order. */
export type Served = { url: string; handled: Payment[]; close: () => Promise<void> }

export type Framework = { name: string; serve: (routes: PaidRoute[]) => Promise<Served> }

/** The body every handler answers: the payment, its amounts as decimal strings. */
export const paymentJson = ({ channel, tokenId, requests, value }: Payment) => ({
  channel,
  tokenId: tokenId.toString(),
  requests: requests.toString(),
  value: value.toString(),
})

async function listening(server: http.Server, handled: Payment[]): Promise<Served> {
  if (!server.listening) {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
  }
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handled,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/**
 * Hands the payment to the test and answers it: what each framework's handler does. It also
 * makes a span `test.handler` (a no-op unless a test registers an SDK), to show which trace the
 * handler runs in.
 */
const handle = (handled: Payment[], payment: Payment | null | undefined) => {
  trace.getTracer('test').startSpan('test.handler').end()
  if (!payment) throw new Error('the handler ran without a payment')
  handled.push(payment)
  return paymentJson(payment)
}

export const frameworks: Framework[] = [
  {
    name: 'express',
    async serve(routes) {
      const handled: Payment[] = []
      const app = express()
      for (const { path, verifier, price } of routes)
        app.get(path, paymentRequired(verifier, { price }), (req, res) => {
          res.json(handle(handled, req.payment))
        })
      return listening(app.listen(0, '127.0.0.1'), handled)
    },
  },
  {
    // The plugin for the first route (in a context of its own), the preHandler option for the others.
    name: 'fastify',
    async serve(routes) {
      const handled: Payment[] = []
      const app = Fastify()
      const [first, ...rest] = routes as [PaidRoute, ...PaidRoute[]]
      await app.register(async (paid) => {
        await paid.register(fastifyPayment, { verifier: first.verifier, price: first.price })
        paid.get(first.path, async (request) => handle(handled, request.payment))
      })
      for (const { path, verifier, price } of rest)
        app.get(path, { preHandler: paymentPreHandler(verifier, { price }) }, async (request) =>
          handle(handled, request.payment),
        )
      await app.listen({ port: 0, host: '127.0.0.1' })
      return listening(app.server, handled)
    },
  },
  {
    name: 'hono',
    async serve(routes) {
      const handled: Payment[] = []
      const app = new Hono<{ Variables: PaymentVariables }>()
      for (const { path, verifier, price } of routes)
        app.get(path, honoPayment(verifier, { price }), (c) => c.json(handle(handled, c.get('payment'))))
      return listening(
        createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as http.Server,
        handled,
      )
    },
  },
  {
    name: 'koa',
    async serve(routes) {
      const handled: Payment[] = []
      const app = new Koa()
      for (const { path, verifier, price } of routes) {
        const pay = koaPayment(verifier, { price })
        // No router package: each route's middleware runs on its own path.
        app.use((ctx, next) =>
          ctx.path === path
            ? pay(ctx, async () => {
                ctx.body = handle(handled, ctx.state.payment)
              })
            : next(),
        )
      }
      return listening(app.listen(0, '127.0.0.1'), handled)
    },
  },
  {
    // Next.js route handlers: each one a withPayment()-wrapped `GET(request: NextRequest, ctx)`,
    // called with Next's own NextRequest, behind a plain HTTP server (no Next.js build here).
    name: 'next',
    async serve(routes) {
      const handled: Payment[] = []
      const handlers = new Map(
        routes.map(({ path, verifier, price }) => [
          path,
          withPayment<{ params: Promise<object> }>(
            verifier,
            async (_request, _ctx, payment) => Response.json(handle(handled, payment)),
            { price },
          ),
        ]),
      )
      const server = createAdaptorServer({
        // Node's own Request, which NextRequest extends (the adaptor would swap in a lighter one).
        overrideGlobalObjects: false,
        fetch: (request: Request) => {
          const route = handlers.get(new URL(request.url).pathname)
          if (!route) return new Response(null, { status: 404 })
          // The adaptor's request is a lighter stand-in; Next.js builds its NextRequest from the parts.
          const next = new NextRequest(request.url, { method: request.method, headers: request.headers })
          return route(next, { params: Promise.resolve({}) })
        },
      })
      return listening(server as http.Server, handled)
    },
  },
]
