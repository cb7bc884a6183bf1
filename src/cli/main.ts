#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { runStart } from './commands/start.js';
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
      setExitCode(await runStart(config));
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
