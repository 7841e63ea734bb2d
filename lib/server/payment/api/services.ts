import { z } from 'zod'
import { error, json } from '../../http/openapi'
import { Answer } from '../../http/route'
import { example, one } from '../examples'
import { createServiceBody, serviceSchema } from '../schemas'
import { serviceJson } from '../views'
import { definePaymentRoute } from './route'

const withApiKey = z.object({ service: serviceSchema, apiKey: z.string() })

const apiKeyExample = 'psk_billing_Xq3vAw9LkT2mZ8pR4cN7yB1eH6uJ0sDfG5oKiV3aQxM'

/** The team's services and their API keys (registered and rotated with the admin key). */
export const serviceRoutes = [
  definePaymentRoute({
    name: 'services.list',
    method: 'GET',
    path: '/api/payment/services',
    auth: 'service-or-admin',
    doc: {
      summary: 'Services: all of them (admin) or the caller itself',
      responses: {
        '200': json(
          z.object({ services: z.array(serviceSchema) }),
          'Services',
          one('As the service billing', { services: [example.service] }),
        ),
      },
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
      requestExamples: {
        provider: {
          summary: 'A provider with its price per request (wei), its key generated here',
          value: { name: 'billing', team: 'team-b', price: example.costPerRequest },
        },
        consumer: {
          summary: 'A consumer whose private key the server reads from its environment',
          value: { name: 'shop', team: 'team-a', key: { source: 'env', variable: 'SHOP_PRIVATE_KEY' } },
        },
      },
      responses: {
        '201': json(
          withApiKey,
          'Registered; keep the API key',
          one('billing registered', { service: example.service, apiKey: apiKeyExample }),
        ),
        '409': error(
          'Name or address taken (`service_exists`), or no keystore secret (`keystore_unconfigured`)',
          { service_exists: 'A service named billing is already registered.' },
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
        '201': json(
          withApiKey,
          'New key; the old one stops working within 5 s',
          one('A new key for billing', {
            service: { ...example.service, apiKeyPrefix: 'psk_billing_7RkPz' },
            apiKey: 'psk_billing_7RkPzc1YV0n2mQe8tLwH4sJb9uXaG3dKf6oNiA5rTyE',
          }),
        ),
        '404': error('No such service (`service_unknown`)', {
          service_unknown: 'No service is named billing.',
        }),
      },
    },
    async handler({ server, params }) {
      const { service, apiKey } = await server.services.rotateApiKey(params.name)
      return new Answer(201, { service: serviceJson(service), apiKey })
    },
  }),
] as const
