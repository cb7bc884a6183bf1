import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NumberInUseError, type PhoneNumber, type PhoneNumbersTable } from '../../store/index.js';
import { pathOf, principalOf } from '../principal.js';
import type { V1Context } from './context.js';
import { conflict, invalidField, notFound } from './errors.js';
import { IsoDate, Nullable, checkIfMatch, type Resource } from './resource.js';
import { createRoute, itemRoute, listRoute, removeRoute, updateRoute, type ItemParams } from './routes.js';
import { readWebhookBody, webhookBodyProperties, webhookFields, webhookJson } from './webhooks.js';
import type { WriteLock } from './write-lock.js';

export const NumberResource: Resource<PhoneNumber, PhoneNumbersTable> = {
  name: 'numbers',
  title: 'Number',
  defaultSort: { field: 'date_created', direction: 'asc' },
  fields: {
    id: { schema: Type.String({ pattern: '^PN[0-9a-f]{32}$' }), column: 'sid' },
    account_id: { schema: Type.String(), column: 'account_sid' },
    phone_number: { schema: Type.String({ description: 'E.164' }), column: 'phone_number' },
    friendly_name: { schema: Type.String(), column: 'friendly_name' },
    voice_application_id: { schema: Nullable(Type.String()), column: 'voice_application_sid', nullable: true },
    sms_application_id: { schema: Nullable(Type.String()), column: 'sms_application_sid', nullable: true },
    ...webhookFields<PhoneNumbersTable>(),
    date_created: { schema: IsoDate, column: 'date_created' },
    date_updated: { schema: IsoDate, column: 'date_updated' },
  },
  json: (n) => ({
    id: n.sid,
    account_id: n.accountSid,
    phone_number: n.phoneNumber,
    friendly_name: n.friendlyName,
    voice_application_id: n.voiceApplicationSid,
    sms_application_id: n.smsApplicationSid,
    ...webhookJson(n),
    date_created: n.dateCreated,
    date_updated: n.dateUpdated,
  }),
};

const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164, as the trunk delivers it' });
const settings = {
  friendly_name: Type.Optional(Type.String({ maxLength: 64 })),
  voice_application_id: Type.Optional(Nullable(Type.String({ description: 'An application of this account; its URLs answer the number' }))),
  sms_application_id: Type.Optional(Nullable(Type.String())),
  ...webhookBodyProperties(),
};
const CreateNumber = Type.Object({ phone_number: E164, ...settings }, { additionalProperties: false });
const UpdateNumber = Type.Object(settings, { additionalProperties: false });

type Patch = Parameters<V1Context['store']['numbers']['update']>[2];

async function readPatch(ctx: V1Context, accountSid: string, body: Record<string, unknown>): Promise<Patch> {
  const patch: { -readonly [K in keyof Patch]: Patch[K] } = { ...readWebhookBody(body) };
  if (typeof body.friendly_name === 'string') patch.friendlyName = body.friendly_name;
  for (const [field, key] of [
    ['voice_application_id', 'voiceApplicationSid'],
    ['sms_application_id', 'smsApplicationSid'],
  ] as const) {
    const id = body[field];
    if (id === undefined) continue;
    if (id === null) {
      patch[key] = null;
      continue;
    }
    if (!(await ctx.store.applications.get(accountSid, String(id)))) throw invalidField(field, `${String(id)} is not an application of this account`);
    patch[key] = String(id);
  }
  return patch;
}

/** Numbers: the numbers an account answers on, with their URLs or applications. */
export async function numberRoutes(app: FastifyInstance, ctx: V1Context, lock: WriteLock): Promise<void> {
  const get = (request: FastifyRequest, id: string) => ctx.store.numbers.get(principalOf(request).account.sid, id);
  listRoute(app, NumberResource, (request, query) => ctx.store.numbers.query(principalOf(request).account.sid, query));
  itemRoute(app, NumberResource, get);

  createRoute(app, NumberResource, CreateNumber, async (request) => {
    const { account } = principalOf(request);
    const body = request.body as Record<string, unknown> & { phone_number: string };
    const patch = await readPatch(ctx, account.sid, body);
    try {
      return await ctx.store.numbers.add(account.sid, { ...patch, phoneNumber: body.phone_number });
    } catch (error) {
      if (error instanceof NumberInUseError) throw conflict(21422, `${body.phone_number} is already in use`, 'phone_number');
      throw error;
    }
  });

  updateRoute(app, NumberResource, UpdateNumber, async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as ItemParams;
    return lock.run(id, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, NumberResource, current);
      const updated = await ctx.store.numbers.update(account.sid, id, await readPatch(ctx, account.sid, request.body as Record<string, unknown>));
      if (!updated) throw notFound(pathOf(request));
      return updated;
    });
  });

  removeRoute(app, NumberResource, 'Release a number', async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as ItemParams;
    await lock.run(id, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, NumberResource, current);
      await ctx.store.numbers.remove(current.sid, account.sid);
    });
  });
}
