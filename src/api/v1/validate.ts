import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { DIALECT_NAMES, LINT_TARGETS, parseDocument, validationRecord } from '../../xml/index.js';

const ValidateQuery = Type.Object({
  dialect: Type.Optional(Type.Union([Type.Literal('auto'), ...DIALECT_NAMES.map((d) => Type.Literal(d))])),
  target: Type.Optional(Type.Union(LINT_TARGETS.map((t) => Type.Literal(t)))),
  kind: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('voice'), Type.Literal('messaging')])),
});

const Issue = Type.Object({
  code: Type.Integer(),
  detail: Type.Optional(Type.Integer()),
  message: Type.String(),
  line: Type.Integer(),
  column: Type.Integer(),
});

const ValidationRecord = Type.Object({
  source: Type.String(),
  valid: Type.Boolean(),
  dialect: Type.Union([Type.Literal('twiml'), Type.Literal('apifonica'), Type.Null()]),
  kind: Type.Union([Type.Literal('voice'), Type.Literal('messaging'), Type.Null()]),
  errors: Type.Array(Issue),
  warnings: Type.Array(Issue),
});

/** `POST /v1/validate`: the body is a document; the answer is its validation record. */
export async function validateRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Querystring: Static<typeof ValidateQuery>; Body: string }>(
    '/validate',
    {
      schema: {
        querystring: ValidateQuery,
        response: { 200: ValidationRecord },
      },
    },
    async (request) => {
      const body = typeof request.body === 'string' ? request.body : '';
      const outcome = parseDocument(body, {
        dialect: request.query.dialect ?? 'auto',
        kind: request.query.kind ?? 'auto',
        ...(request.query.target ? { target: request.query.target } : {}),
      });
      return validationRecord('request body', outcome);
    },
  );
}
