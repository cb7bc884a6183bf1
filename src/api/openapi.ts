import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/**
 * OpenAPI 3 for every route registered after this: the compatible /2010-04-01 API and
 * the native /v1 API, from their route schemas. Served at `/openapi.json`.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Dialtone API',
        version,
        description:
          'The Twilio-compatible 2010-04-01 API (form or JSON bodies, Twilio shapes, HTTP Basic) and the native v1 API ' +
          '(JSON, page/size, sort/sort_dir, field filters, `fields`, Etags with If-Match, links).',
      },
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic', description: 'Account SID and auth token, or an API key SID and its secret' },
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key’s secret (the Telnyx-style make-call)' },
          apifonWS: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description:
              '`ApifonWS <AccountSid>:<base64 HMAC-SHA256(auth token, METHOD\\nPATH\\nBODY\\nDATE)>` with the DATE in `X-ApifonWS-Date`, within 15 minutes of the server clock',
          },
        },
      },
      tags: [
        { name: 'calls' },
        { name: 'numbers' },
        { name: 'applications' },
        { name: 'messages' },
        { name: 'keys' },
        { name: 'recordings' },
        { name: 'trunks' },
        { name: 'compatible', description: 'The Twilio-compatible 2010-04-01 API' },
        { name: 'telnyx', description: 'Telnyx’s way to start a call (TeXML), with Bearer API keys' },
      ],
    },
  });
}

/** `GET /openapi.json`, left out of the document itself. */
export function serveOpenApi(app: FastifyInstance): void {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
