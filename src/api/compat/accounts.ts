import type { FastifyInstance } from 'fastify';
import type { Account } from '../../store/index.js';
import { principalOf } from '../principal.js';
import type { CompatContext } from './context.js';
import { envelope, readPageRequest } from './paging.js';
import { readParams } from './params.js';
import { accountPath, rfc2822 } from './serialize.js';

const SUBRESOURCES: Readonly<Record<string, string>> = {
  available_phone_numbers: 'AvailablePhoneNumbers',
  calls: 'Calls',
  conferences: 'Conferences',
  incoming_phone_numbers: 'IncomingPhoneNumbers',
  notifications: 'Notifications',
  outgoing_caller_ids: 'OutgoingCallerIds',
  recordings: 'Recordings',
  transcriptions: 'Transcriptions',
  addresses: 'Addresses',
  signing_keys: 'SigningKeys',
  connect_apps: 'ConnectApps',
  sip: 'SIP',
  authorized_connect_apps: 'AuthorizedConnectApps',
  usage: 'Usage',
  keys: 'Keys',
  applications: 'Applications',
  short_codes: 'SMS/ShortCodes',
  queues: 'Queues',
  messages: 'Messages',
  balance: 'Balance',
};

/** The auth token is shown to the account's own credentials only, never through an API key. */
export function accountJson(base: string, account: Account, showToken: boolean): Record<string, unknown> {
  const path = accountPath(base, account.sid);
  const subresource_uris: Record<string, string> = {};
  for (const [key, name] of Object.entries(SUBRESOURCES)) subresource_uris[key] = `${path}/${name}.json`;
  return {
    auth_token: showToken ? account.authToken : null,
    date_created: rfc2822(account.dateCreated),
    date_updated: rfc2822(account.dateUpdated),
    friendly_name: account.friendlyName,
    owner_account_sid: account.sid,
    sid: account.sid,
    status: account.status,
    subresource_uris,
    type: 'Full',
    uri: `${path}.json`,
  };
}

/** Accounts: fetch your own; the list holds just it (there are no subaccounts yet). */
export async function accountRoutes(app: FastifyInstance, ctx: CompatContext): Promise<void> {
  app.get('/Accounts/:AccountSid.json', async (request) => {
    const { account, via } = principalOf(request);
    return accountJson(ctx.base, account, via === 'auth-token');
  });

  app.get('/Accounts.json', async (request) => {
    const { account, via } = principalOf(request);
    const params = readParams(request.query);
    const pageRequest = readPageRequest(params);
    const rows = pageRequest.page === 0 && !pageRequest.token ? [account] : [];
    return envelope(request, params, pageRequest, 'accounts', rows, (a) => accountJson(ctx.base, a, via === 'auth-token'));
  });
}
