/**
 * `dialtone trunks add|list|remove|enable|disable`: the SIP trunks of an account, which
 * `<Dial><Number>` goes out through for numbers that are not the account's own.
 */
import type { Command } from 'commander';
import { type Config, loadConfig } from '../../config/config.js';
import { formatHostPort } from '../../sip/transport/address.js';
import { InvalidTrunkError, TrunkExistsError, type Trunk, type TrunkInput } from '../../store/index.js';
import { UsageError } from './validate.js';
import { withStore } from './with-store.js';

export interface TrunksIo {
  readonly stdout: (line: string) => void;
}

export interface AddTrunkFlags {
  readonly host?: string;
  readonly port?: string;
  readonly transport?: string;
  readonly username?: string;
  readonly password?: string;
  readonly prefix?: readonly string[];
  readonly priority?: string;
  readonly callerId?: string;
  readonly stripPrefix?: string;
  readonly addPrefix?: string;
  readonly disabled?: boolean;
  readonly account?: string;
  readonly json?: boolean;
}

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

/** What is shown of a trunk: everything but the password. */
function shown(t: Trunk): Omit<Trunk, 'password'> {
  const { password: _password, ...rest } = t;
  return rest;
}

function describeTrunk(t: Trunk): string {
  const parts = [
    `${t.transport} ${formatHostPort(t)}`,
    `prefixes ${t.prefixes.join(' ')}`,
    `priority ${t.priority}`,
    t.callerId === null ? 'caller ID passed through' : `caller ID ${t.callerId}`,
    t.stripPrefix !== null && `strip ${t.stripPrefix}`,
    t.addPrefix !== null && `add ${t.addPrefix}`,
    t.username !== null && `digest user ${t.username}`,
    !t.enabled && 'disabled',
  ].filter(Boolean);
  return `${t.friendlyName}  ${t.sid}  ${parts.join(', ')}`;
}

export function parseTrunkFlags(name: string, flags: AddTrunkFlags): TrunkInput {
  if (flags.host === undefined) throw new UsageError('--host is required: the trunk’s SIP host name or address');
  const transport = flags.transport?.toLowerCase();
  if (transport !== undefined && transport !== 'udp' && transport !== 'tcp') throw new UsageError(`--transport must be udp or tcp, not "${flags.transport}"`);
  const port = whole('--port', flags.port);
  const priority = whole('--priority', flags.priority);
  return {
    friendlyName: name,
    host: flags.host,
    ...(port !== undefined ? { port } : {}),
    ...(transport !== undefined ? { transport } : {}),
    ...(flags.username !== undefined ? { username: flags.username } : {}),
    ...(flags.password !== undefined ? { password: flags.password } : {}),
    ...(flags.prefix !== undefined ? { prefixes: flags.prefix } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(flags.callerId !== undefined ? { callerId: flags.callerId } : {}),
    ...(flags.stripPrefix !== undefined ? { stripPrefix: flags.stripPrefix } : {}),
    ...(flags.addPrefix !== undefined ? { addPrefix: flags.addPrefix } : {}),
    ...(flags.disabled ? { enabled: false } : {}),
  };
}

export async function runTrunksAdd(config: Config, name: string, flags: AddTrunkFlags, io: TrunksIo): Promise<number> {
  const input = parseTrunkFlags(name, flags);
  return withStore(
    config,
    async (store, accountSid) => {
      try {
        const trunk = await store.trunks.create(accountSid, input);
        io.stdout(flags.json ? JSON.stringify(shown(trunk)) : `added trunk ${describeTrunk(trunk)}`);
        return 0;
      } catch (err) {
        if (err instanceof InvalidTrunkError || err instanceof TrunkExistsError) throw new UsageError(err.message);
        throw err;
      }
    },
    flags.account,
  );
}

export async function runTrunksList(config: Config, flags: { readonly account?: string; readonly json?: boolean }, io: TrunksIo): Promise<number> {
  return withStore(
    config,
    async (store, accountSid) => {
      const trunks = await store.trunks.list(accountSid);
      if (flags.json) io.stdout(JSON.stringify(trunks.map(shown)));
      else if (trunks.length === 0) io.stdout('no trunks (add one with: dialtone trunks add NAME --host HOST)');
      else for (const t of trunks) io.stdout(describeTrunk(t));
      return 0;
    },
    flags.account,
  );
}

export async function runTrunksRemove(config: Config, nameOrSid: string, flags: { readonly account?: string }, io: TrunksIo): Promise<number> {
  return withStore(
    config,
    async (store, accountSid) => {
      const removed = await store.trunks.remove(accountSid, nameOrSid);
      if (removed === undefined) {
        io.stdout(`no trunk named ${nameOrSid}`);
        return 1;
      }
      io.stdout(`removed trunk ${removed.friendlyName} (${removed.sid})`);
      return 0;
    },
    flags.account,
  );
}

export async function runTrunksEnable(config: Config, nameOrSid: string, enabled: boolean, flags: { readonly account?: string }, io: TrunksIo): Promise<number> {
  return withStore(
    config,
    async (store, accountSid) => {
      const trunk = await store.trunks.setEnabled(accountSid, nameOrSid, enabled);
      if (trunk === undefined) {
        io.stdout(`no trunk named ${nameOrSid}`);
        return 1;
      }
      io.stdout(`${enabled ? 'enabled' : 'disabled'} trunk ${trunk.friendlyName} (${trunk.sid})`);
      return 0;
    },
    flags.account,
  );
}

/** Adds the `trunks` command and its subcommands to `program` (made with `.command`, so they inherit its exit and output settings). */
export function addTrunksCommand(program: Command, setExitCode: (code: number) => void): void {
  const print: TrunksIo = { stdout: (line) => process.stdout.write(`${line}\n`) };
  const trunks = program.command('trunks').description('SIP trunks: where <Dial><Number> sends numbers that are not your own');
  trunks
    .command('add')
    .argument('<name>', 'a name for the trunk (letters, digits, . _ -)')
    .requiredOption('--host <host>', 'the trunk’s SIP host name or IP address')
    .option('--port <port>', 'its SIP port (default 5060)')
    .option('--transport <udp|tcp>', 'SIP transport (default udp)')
    .option('--username <user>', 'digest username for its 401/407 challenge')
    .option('--password <password>', 'digest password (stored as given: the INVITE needs it)')
    .option('--prefix <prefixes...>', 'the numbers it takes: E.164 prefixes like +1 +4420, or * for all (default *)')
    .option('--priority <n>', 'lower first among equally long prefix matches (default 10)')
    .option('--caller-id <number>', 'send every call from this number (default: the Dial’s caller ID, passed through)')
    .option('--strip-prefix <prefix>', 'remove this from the front of the dialled number (like +)')
    .option('--add-prefix <prefix>', 'then put this in front of it (like 00)')
    .option('--disabled', 'add it switched off')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print the trunk as JSON')
    .action(async (name: string, flags: AddTrunkFlags) => setExitCode(await runTrunksAdd(loadConfig(), name, flags, print)));
  trunks
    .command('list')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print JSON (without passwords)')
    .action(async (flags: { json?: boolean; account?: string }) => setExitCode(await runTrunksList(loadConfig(), flags, print)));
  trunks
    .command('remove')
    .argument('<trunk>', 'its name or TK SID')
    .option('--account <sid>', 'the account (default: the first)')
    .action(async (trunk: string, flags: { account?: string }) => setExitCode(await runTrunksRemove(loadConfig(), trunk, flags, print)));
  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    trunks
      .command(verb)
      .argument('<trunk>', 'its name or TK SID')
      .option('--account <sid>', 'the account (default: the first)')
      .action(async (trunk: string, flags: { account?: string }) => setExitCode(await runTrunksEnable(loadConfig(), trunk, enabled, flags, print)));
  }
}
