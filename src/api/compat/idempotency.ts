import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CompatContext } from './context.js';
import { idempotencyConflict, invalidParameter } from './errors.js';

export interface Created {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Safe retries for creates (a call, a message): with an `Idempotency-Key` header, the
 * first request reserves the key, creates, and records its answer; a repeat within 24
 * hours gets that answer (with `Idempotent-Replayed: true`) and creates nothing. A
 * create that fails records nothing, so a corrected retry may use the same key.
 */
export async function createIdempotently(
  ctx: CompatContext,
  request: FastifyRequest,
  reply: FastifyReply,
  accountSid: string,
  scope: string,
  create: () => Promise<Created>,
): Promise<FastifyReply> {
  const header = request.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined) {
    const created = await create();
    return reply.status(created.status).send(created.body);
  }
  if (key.length === 0 || key.length > 255) throw invalidParameter('Idempotency-Key', 'must be 1 to 255 characters');
  const ref = { accountSid, scope, key };
  const reservation = await ctx.store.idempotency.reserve(ref);
  if (reservation.kind === 'in-progress') throw idempotencyConflict(key);
  if (reservation.kind === 'replay') {
    return reply.status(reservation.statusCode).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(reservation.response);
  }
  let created: Created;
  try {
    created = await create();
  } catch (error) {
    await ctx.store.idempotency.release(ref);
    throw error;
  }
  const text = JSON.stringify(created.body);
  await ctx.store.idempotency.complete(ref, created.status, text);
  return reply.status(created.status).type('application/json; charset=utf-8').send(text);
}
