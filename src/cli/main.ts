#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { type CallFlags, parseCallOptions, runCall } from './commands/call.js';
import { runClientsAdd, runClientsList, runClientsRemove } from './commands/clients.js';
import { runCallsList, runCallsShow, runNumbersAdd, runNumbersList, runNumbersRemove } from './commands/numbers.js';
import { runStart } from './commands/start.js';
import { addTrunksCommand } from './commands/trunks.js';
import { UsageError, parseValidateOptions, runValidate } from './commands/validate.js';
import { VERSION } from './version.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Builds the `dialtone` program; each action resolves to an exit code that only `main` uses. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('dialtone')
    .description('Self-hosted programmable voice and messaging')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('start')
    .description('start Dialtone with the configuration from defaults, DIALTONE_CONFIG and DIALTONE_* variables')
    .option('-c, --config <file>', 'a JSON configuration file')
    .action(async (flags: { config?: string }) => {
      const config = loadConfig(flags.config ? { file: flags.config } : {});
      setExitCode(await runStart(config, (text) => process.stdout.write(`${text}\n`)));
    });

  program
    .command('validate')
    .description('check call-control documents (TwiML, cXML, TeXML, Apifonica XML)')
    .argument('<sources...>', 'files, http(s) URLs, or - for standard input')
    .option('--dialect <name>', 'auto, twiml or apifonica', 'auto')
    .option('--target <platform>', 'lint for twilio, signalwire, telnyx, commio or apifonica')
    .option('--json', 'one JSON record per input')
    .action(async (sources: string[], flags: { dialect?: string; target?: string; json?: boolean }) => {
      const options = parseValidateOptions(sources, flags);
      setExitCode(
        await runValidate(options, {
          stdout: (line) => process.stdout.write(`${line}\n`),
          stderr: (line) => process.stderr.write(`${line}\n`),
          readStdin,
        }),
      );
    });
  program
    .command('call')
    .description('place a SIP call from the terminal: send digits, record what is heard, print the timeline')
    .argument('<target>', 'a number (+15550100, sent to --server) or a SIP URI (sip:alice@host:port)')
    .option('--server <host:port>', 'where to send the INVITE (default 127.0.0.1:5060; for a SIP URI: its host)')
    .option('--from <number>', 'our number or SIP URI (default +15550199)')
    .option('--digits <digits>', 'DTMF to send once answered (RFC 4733); w = half a second, W = a second of pause')
    .option('--record <file.wav>', 'record what is heard (8 kHz 16-bit mono WAV)')
    .option('--hangup-after <seconds>', 'hang up this long after the answer (default: wait for the far end)')
    .option('--timeout <seconds>', 'give up on the whole call after this long (default 300)')
    .option('--bind <address>', 'local address for SIP and RTP', '127.0.0.1')
    .option('--transport <udp|tcp>', 'SIP transport', 'udp')
    .option('--json', 'print the call as one JSON object')
    .action(async (target: string, flags: CallFlags) => {
      const options = parseCallOptions(target, flags);
      // Ctrl-C hangs up (CANCEL or BYE) and still prints the timeline; a second one quits.
      const interrupt = new AbortController();
      const onSigint = (): void => {
        if (interrupt.signal.aborted) process.exit(130);
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        setExitCode(
          await runCall(options, {
            stdout: (line) => process.stdout.write(`${line}\n`),
            stderr: (line) => process.stderr.write(`${line}\n`),
            signal: interrupt.signal,
          }),
        );
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });

  const print = { stdout: (line: string) => process.stdout.write(`${line}\n`) };
  const numbers = program.command('numbers').description('phone numbers and the applications they answer with');
  numbers
    .command('add')
    .argument('<number>', 'E.164, like +15550100')
    .option('--voice-url <url>', 'the application asked what to do with a call')
    .option('--voice-method <method>', 'GET or POST', 'POST')
    .option('--fallback-url <url>', 'asked when the voice URL fails')
    .option('--status-callback <url>', 'told of call progress')
    .option('--sms-url <url>', 'the application asked what to do with a message')
    .option('--dialect <name>', 'twiml or apifonica', 'twiml')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print the number as JSON')
    .action(async (number: string, flags: Record<string, string | boolean | undefined>) => {
      setExitCode(await runNumbersAdd(loadConfig(), number, flags, print));
    });
  numbers
    .command('list')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean; account?: string }) => setExitCode(await runNumbersList(loadConfig(), flags, print)));
  numbers
    .command('remove')
    .argument('<number>', 'the number or its PN SID')
    .option('--account <sid>', 'the account (default: the first)')
    .action(async (number: string, flags: { account?: string }) => setExitCode(await runNumbersRemove(loadConfig(), number, flags, print)));

  const clients = program.command('clients').description('SIP clients: softphones that register here and <Dial><Client> rings');
  clients
    .command('add')
    .argument('<username>', 'the name it registers as and <Client> names')
    .option('--password <password>', 'at least 8 characters (default: a random one, printed)')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print the client as JSON')
    .action(async (username: string, flags: { password?: string; account?: string; json?: boolean }) =>
      setExitCode(await runClientsAdd(loadConfig(), username, flags, print)),
    );
  clients
    .command('list')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean; account?: string }) => setExitCode(await runClientsList(loadConfig(), flags, print)));
  clients
    .command('remove')
    .argument('<username>', 'the client')
    .option('--account <sid>', 'the account (default: the first)')
    .action(async (username: string, flags: { account?: string }) => setExitCode(await runClientsRemove(loadConfig(), username, flags, print)));

  addTrunksCommand(program, setExitCode);

  const calls = program.command('calls').description('call records and their timelines');
  calls
    .command('list')
    .option('--limit <n>', 'how many, newest first', '20')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean; account?: string; limit?: string }) => setExitCode(await runCallsList(loadConfig(), flags, print)));
  calls
    .command('show')
    .argument('<sid>', 'the call SID (CA...)')
    .option('--account <sid>', 'the account (default: the first)')
    .option('--json', 'print the call and its timeline as JSON')
    .action(async (sid: string, flags: { json?: boolean; account?: string }) => setExitCode(await runCallsShow(loadConfig(), sid, flags, print)));
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; a usage mistake exits 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`dialtone: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`dialtone: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`dialtone: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dialtone: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
