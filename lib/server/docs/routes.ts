import { z } from 'zod'
import { requestIdOf } from '../http/callLog'
import { error } from '../http/openapi'
import { pathParams, requireQueryText } from '../http/params'
import { type Handled, type Route, responseOf, runCall } from '../http/route'
import { apiDocsResponse, apiNameOf } from './page'
import { redocBundleResponse } from './redocBundle'

const tags = ['system']

const notText = 'not text: a control character or a lone surrogate (`invalid_text`)'

/**
 * One call of a reference route through the plumbing every route shares (runCall): a refusal
 * answered as `{ error: { code, message } }` with its status and logged under the operationId.
 * Not jsonRoute: these answer HTML and JavaScript, and need no server context.
 */
async function answer(name: string, request: Request, handler: () => Promise<Handled>): Promise<Response> {
  const requestId = requestIdOf(request.headers)
  return responseOf(await runCall('api', name, handler, requestId), requestId)
}

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
      '400': error(`No such document (\`invalid_request\`), or a query ${notText}`, {
        invalid_request: 'The query parameter api must be payment or explorer.',
      }),
    },
  },
  handler: (request) =>
    answer('getApiReference', request, async () => {
      const query = new URL(request.url).searchParams
      requireQueryText(query)
      return apiDocsResponse(apiNameOf(query.get('api')))
    }),
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
      '400': error(`The file name is ${notText}`, {
        invalid_text:
          'The path parameter file must be text without control characters (U+0000 at character 2).',
      }),
      '404': error('Not the current bundle (`not_found`)', {
        not_found: 'No asset named redoc.js; the API reference loads redoc-2.5.4-3f1c0a9b2d4e.js.',
      }),
    },
  },
  handler: (request, { params }) =>
    answer('getApiReferenceAsset', request, async () =>
      redocBundleResponse(pathParams(await params).file ?? ''),
    ),
}

/**
 * The API reference (`/api/docs`) and the Redoc bundle it loads, served by the product itself
 * so that the reference works offline. They answer HTML and JavaScript, not JSON, so their
 * handlers make the Response themselves (refusals are JSON, like every route's).
 */
export const docsRoutes = [page, asset]
