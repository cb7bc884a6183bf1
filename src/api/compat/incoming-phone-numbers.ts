import type { FastifyInstance } from 'fastify';
import { NumberInUseError, type NumberInput, type PhoneNumber } from '../../store/index.js';
import { pathOf, principalOf } from '../principal.js';
import type { CompatContext } from './context.js';
import { invalid, invalidParameter, notFound } from './errors.js';
import { envelope, oldestFirst, pageInMemory, readPageRequest, storeQuery } from './paging.js';
import { isE164, one, optionalText, readParams, type Params } from './params.js';
import { accountPath, rfc2822 } from './serialize.js';
import { readWebhookSettings, webhookSettingsJson } from './webhook-settings.js';

/** Twilio's incoming number resource; what Dialtone has no notion of is a fixed value or null. */
export function numberJson(base: string, n: PhoneNumber): Record<string, unknown> {
  const path = `${accountPath(base, n.accountSid)}/IncomingPhoneNumbers/${n.sid}`;
  const w = webhookSettingsJson(n);
  return {
    account_sid: n.accountSid,
    address_sid: null,
    address_requirements: 'none',
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: true, sms: true, mms: false, fax: false },
    date_created: rfc2822(n.dateCreated),
    date_updated: rfc2822(n.dateUpdated),
    friendly_name: n.friendlyName,
    identity_sid: null,
    phone_number: n.phoneNumber,
    // Numbers on Dialtone arrive over the operator's own trunks.
    origin: 'hosted',
    sid: n.sid,
    sms_application_sid: n.smsApplicationSid,
    sms_fallback_method: w.sms_fallback_method,
    sms_fallback_url: w.sms_fallback_url,
    sms_method: w.sms_method,
    sms_url: w.sms_url,
    status_callback: w.status_callback,
    status_callback_method: w.status_callback_method,
    trunk_sid: null,
    uri: `${path}.json`,
    voice_receive_mode: 'voice',
    voice_application_sid: n.voiceApplicationSid,
    voice_caller_id_lookup: false,
    voice_fallback_method: w.voice_fallback_method,
    voice_fallback_url: w.voice_fallback_url,
    voice_method: w.voice_method,
    voice_url: w.voice_url,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: 'local',
    subresource_uris: { assigned_add_ons: `${path}/AssignedAddOns.json` },
  };
}

type NumberPatch = Partial<Omit<NumberInput, 'phoneNumber'>> & { friendlyName?: string };

/** The settings of a create or update; application SIDs must name the account's own applications. */
async function readNumberPatch(ctx: CompatContext, accountSid: string, params: Params): Promise<NumberPatch> {
  const patch: { -readonly [K in keyof NumberPatch]: NumberPatch[K] } = { ...readWebhookSettings(params) };
  const friendlyName = optionalText(params, 'FriendlyName');
  if (friendlyName !== undefined) patch.friendlyName = friendlyName;
  for (const [param, field] of [
    ['VoiceApplicationSid', 'voiceApplicationSid'],
    ['SmsApplicationSid', 'smsApplicationSid'],
  ] as const) {
    const sid = one(params, param);
    if (sid === undefined) continue;
    if (sid === '') {
      patch[field] = null;
      continue;
    }
    if (!(await ctx.store.applications.get(accountSid, sid))) throw invalidParameter(param, `${sid} is not an application of this account`);
    patch[field] = sid;
  }
  return patch;
}

/** IncomingPhoneNumbers: the numbers an account answers on, with their voice and SMS URLs. */
export async function incomingPhoneNumberRoutes(app: FastifyInstance, ctx: CompatContext): Promise<void> {
  type Item = { Params: { AccountSid: string; Sid: string } };
  const list = '/Accounts/:AccountSid/IncomingPhoneNumbers.json';
  const item = '/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json';

  app.post(list, async (request, reply) => {
    const { account } = principalOf(request);
    const params = readParams(request.body);
    const phoneNumber = one(params, 'PhoneNumber');
    if (phoneNumber === undefined || phoneNumber === '') {
      const areaCode = one(params, 'AreaCode');
      if (areaCode) throw invalid(21452, `No phone numbers found in area code ${areaCode}: Dialtone does not buy numbers, give the PhoneNumber your trunk delivers`);
      throw invalid(21421, 'PhoneNumber is required');
    }
    if (!isE164(phoneNumber)) throw invalid(21421, `PhoneNumber is invalid: ${phoneNumber} is not an E.164 number`);
    const patch = await readNumberPatch(ctx, account.sid, params);
    try {
      const n = await ctx.store.numbers.add(account.sid, { ...patch, phoneNumber });
      return reply.status(201).send(numberJson(ctx.base, n));
    } catch (error) {
      if (error instanceof NumberInUseError) throw invalid(21422, `PhoneNumber ${phoneNumber} is not available: it is already in use`);
      throw error;
    }
  });

  app.get(list, async (request) => {
    const { account } = principalOf(request);
    const params = readParams(request.query);
    const pageRequest = readPageRequest(params);
    const wanted = one(params, 'PhoneNumber');
    const friendly = one(params, 'FriendlyName');
    const beta = one(params, 'Beta');
    const origin = one(params, 'Origin');
    let rows = await ctx.store.numbers.list(account.sid);
    // Twilio matches PhoneNumber as a part of the number, `*` standing for any digit.
    if (wanted) {
      const digits = wanted.replace(/[^\d*]/g, '');
      const pattern = new RegExp(digits.replace(/\*/g, '\\d'));
      rows = rows.filter((n) => pattern.test(n.phoneNumber));
    }
    if (friendly) rows = rows.filter((n) => n.friendlyName === friendly);
    if (beta === 'true') rows = [];
    if (origin && origin !== 'hosted') rows = [];
    const page = pageInMemory(rows, storeQuery(pageRequest), oldestFirst);
    return envelope(request, params, pageRequest, 'incoming_phone_numbers', page, (n) => numberJson(ctx.base, n));
  });

  app.get<Item>(item, async (request) => {
    const { account } = principalOf(request);
    const n = await ctx.store.numbers.get(account.sid, request.params.Sid);
    if (!n) throw notFound(pathOf(request));
    return numberJson(ctx.base, n);
  });

  app.post<Item>(item, async (request) => {
    const { account } = principalOf(request);
    if (!(await ctx.store.numbers.get(account.sid, request.params.Sid))) throw notFound(pathOf(request));
    const patch = await readNumberPatch(ctx, account.sid, readParams(request.body));
    const n = await ctx.store.numbers.update(account.sid, request.params.Sid, patch);
    if (!n) throw notFound(pathOf(request));
    return numberJson(ctx.base, n);
  });

  app.delete<Item>(item, async (request, reply) => {
    const { account } = principalOf(request);
    // Only by SID here: the store also removes by number, which this path must not allow.
    if (!(await ctx.store.numbers.get(account.sid, request.params.Sid))) throw notFound(pathOf(request));
    await ctx.store.numbers.remove(request.params.Sid, account.sid);
    return reply.status(204).send();
  });
}
