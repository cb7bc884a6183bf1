/**
 * `dialtone clients add|list|remove`: the SIP clients of an account, which register to
 * this Dialtone and are rung by `<Dial><Client>NAME</Client></Dial>`.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/config.js';
import { InvalidSipUsernameError, SipClientExistsError } from '../../store/index.js';
import { formatHostPort } from '../../sip/transport/address.js';
import { createSipClient, SIP_REALM } from '../../telephony/sip-clients.js';
import { UsageError } from './validate.js';
import { withStore } from './with-store.js';

export interface ClientsIo {
  readonly stdout: (line: string) => void;
}

export async function runClientsAdd(
  config: Config,
  username: string,
  flags: { readonly password?: string; readonly account?: string; readonly json?: boolean },
  io: ClientsIo,
): Promise<number> {
  if (flags.password !== undefined && flags.password.length < 8) throw new UsageError('--password must be at least 8 characters');
  const password = flags.password ?? randomBytes(12).toString('base64url');
  return withStore(
    config,
    async (store, accountSid) => {
      try {
        const client = await createSipClient(store, accountSid, username, password);
        const host = config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? '127.0.0.1' : config.bindAddress;
        const aor = `sip:${client.username}@${formatHostPort({ host, port: config.sip.port })}`;
        if (flags.json) io.stdout(JSON.stringify({ ...client, password, register: aor }));
        else {
          io.stdout(`added SIP client ${client.username} (${client.sid})`);
          io.stdout(`register as ${aor}, user ${client.username}, password ${password}, realm ${SIP_REALM}`);
          io.stdout(`ring it with <Dial><Client>${client.username}</Client></Dial>`);
        }
        return 0;
      } catch (err) {
        if (err instanceof SipClientExistsError || err instanceof InvalidSipUsernameError) throw new UsageError(err.message);
        throw err;
      }
    },
    flags.account,
  );
}

export async function runClientsList(config: Config, flags: { readonly account?: string; readonly json?: boolean }, io: ClientsIo): Promise<number> {
  return withStore(
    config,
    async (store, accountSid) => {
      const clients = await store.sipClients.list(accountSid);
      if (flags.json) io.stdout(JSON.stringify(clients));
      else if (clients.length === 0) io.stdout('no SIP clients (add one with: dialtone clients add NAME)');
      else for (const c of clients) io.stdout(`${c.username}  ${c.sid}  created ${c.dateCreated}`);
      return 0;
    },
    flags.account,
  );
}

export async function runClientsRemove(config: Config, username: string, flags: { readonly account?: string }, io: ClientsIo): Promise<number> {
  return withStore(
    config,
    async (store, accountSid) => {
      if (!(await store.sipClients.remove(accountSid, username))) {
        io.stdout(`no SIP client named ${username}`);
        return 1;
      }
      io.stdout(`removed SIP client ${username}`);
      return 0;
    },
    flags.account,
  );
}
