import { z } from 'zod'
import { error, json } from '../../http/openapi'
import { Answer } from '../../http/route'
import { createServiceBody, serviceSchema } from '../schemas'
import { serviceJson } from '../views'
import { definePaymentRoute } from './route'

const withApiKey = z.object({ service: serviceSchema, apiKey: z.string() })

/** The team's services and their API keys (registered and rotated with the admin key). */
export const serviceRoutes = [
  definePaymentRoute({
    name: 'services.list',
    method: 'GET',
    path: '/api/payment/services',
    auth: 'service-or-admin',
    doc: {
      summary: 'Services: all of them (admin) or the caller itself',
      responses: { '200': json(z.object({ services: z.array(serviceSchema) }), 'Services') },
    },
    async handler({ server, caller }) {
      const services = caller.kind === 'admin' ? await server.services.list() : [caller.service]
      return { services: services.map(serviceJson) }
    },
  }),
  definePaymentRoute({
    name: 'services.create',
    method: 'POST',
    path: '/api/payment/services',
    auth: 'admin',
    body: createServiceBody,
    doc: {
      summary: 'Register a service (admin)',
      description:
        'Its private key is generated and sealed here, or read from an environment variable of the server. The API key is returned once and stored only as a hash.',
      responses: {
        '201': json(withApiKey, 'Registered; keep the API key'),
        '409': error(
          'Name or address taken (`service_exists`), or no keystore secret (`keystore_unconfigured`)',
        ),
      },
    },
    /** The API key is in this answer only. */
    async handler({ server, body }) {
      const { service, apiKey } = await server.services.register({
        name: body.name,
        team: body.team,
        price: body.price === undefined ? null : BigInt(body.price),
        key: body.key,
      })
      return new Answer(201, { service: serviceJson(service), apiKey })
    },
  }),
  definePaymentRoute({
    name: 'services.rotateKey',
    method: 'POST',
    path: '/api/payment/services/{name}/api-key',
    auth: 'admin',
    doc: {
      summary: "Rotate a service's API key (admin)",
      responses: {
        '201': json(withApiKey, 'New key; the old one stops working within 5 s'),
        '404': error('No such service (`service_unknown`)'),
      },
    },
    async handler({ server, params }) {
      const { service, apiKey } = await server.services.rotateApiKey(params.name)
      return new Answer(201, { service: serviceJson(service), apiKey })
    },
  }),
] as const
