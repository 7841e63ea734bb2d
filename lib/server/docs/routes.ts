import { z } from 'zod'
import type { Route } from '../http/route'
import { apiDocsResponse } from './page'
import { redocBundleResponse } from './redocBundle'

const tags = ['system']

/** The page: Redoc on one of the documents. */
const page: Route<'get', '/api/docs'> = {
  method: 'get',
  path: '/api/docs',
  operation: {
    operationId: 'getApiReference',
    tags,
    summary: 'The API reference (HTML, Redoc)',
    description:
      "Renders this document (`?api=explorer`) or the Payment Server's (`?api=payment`, the default) with Redoc, loaded from this server only.",
    requestParams: {
      query: z.object({
        api: z
          .enum(['payment', 'explorer'])
          .optional()
          .meta({ description: 'Which document; default payment' }),
      }),
    },
    responses: {
      '200': {
        description: 'The page',
        content: {
          'text/html': {
            schema: z.string(),
            examples: {
              default: {
                summary: 'The page of the Payment Server API',
                value:
                  '<!doctype html>\n<html lang="en">…<redoc spec-url="/api/payment/openapi.json" …></redoc>…</html>',
              },
            },
          },
        },
      },
    },
  },
  handler: (request) => apiDocsResponse(request),
}

/** Served under REDOC_ASSET_PATH (spelled out here: the table keeps paths as literal types). */
const asset: Route<'get', '/api/docs/assets/{file}'> = {
  method: 'get',
  path: '/api/docs/assets/{file}',
  operation: {
    operationId: 'getApiReferenceAsset',
    tags,
    summary: "The reference's Redoc bundle (JavaScript, cached for a year)",
    description:
      'Only the file name the page loads (`redoc-<version>-<sha256 prefix>.js`) is served; a new bundle gets a new name.',
    requestParams: {
      path: z.object({
        file: z.string().meta({ description: 'File name', example: 'redoc-2.5.4-3f1c0a9b2d4e.js' }),
      }),
    },
    responses: {
      '200': {
        description: 'Redoc standalone bundle',
        content: {
          'text/javascript': {
            schema: z.string(),
            examples: {
              default: {
                summary: 'Its first line',
                value: '/*! For license information please see redoc.standalone.js.LICENSE.txt */',
              },
            },
          },
        },
      },
      '404': {
        description: 'Not the current bundle (`not_found`)',
        content: {
          'application/json': {
            schema: z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
            examples: {
              not_found: {
                summary: 'not_found',
                value: {
                  error: {
                    code: 'not_found',
                    message: 'No asset named redoc.js; the API reference loads redoc-2.5.4-3f1c0a9b2d4e.js.',
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  handler: async (_request, { params }) => redocBundleResponse((await params).file ?? ''),
}

/**
 * The API reference (`/api/docs`) and the Redoc bundle it loads, served by the product itself
 * so that the reference works offline. They answer HTML and JavaScript, not JSON, so their
 * handlers build the Response themselves, like the document's own route.
 */
export const docsRoutes = [page, asset]
