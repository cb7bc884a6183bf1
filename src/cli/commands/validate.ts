import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import {
  DIALECT_NAMES,
  LINT_TARGETS,
  formatReport,
  parseDocument,
  validationRecord,
  type DialectName,
  type LintTarget,
  type ValidationRecord,
} from '../../xml/index.js';

export interface ValidateOptions {
  readonly sources: readonly string[];
  readonly dialect: DialectName | 'auto';
  readonly target?: LintTarget;
  readonly json: boolean;
}

export interface ValidateIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly readStdin: () => Promise<Buffer>;
}

export class UsageError extends Error {}

export function parseValidateOptions(
  sources: readonly string[],
  flags: { dialect?: string; target?: string; json?: boolean },
): ValidateOptions {
  if (sources.length === 0) throw new UsageError('validate needs at least one FILE, URL or - (standard input)');
  const dialect = flags.dialect ?? 'auto';
  if (dialect !== 'auto' && !DIALECT_NAMES.includes(dialect as DialectName)) {
    throw new UsageError(`--dialect must be auto, ${DIALECT_NAMES.join(' or ')}; not "${dialect}"`);
  }
  if (flags.target !== undefined && !LINT_TARGETS.includes(flags.target as LintTarget)) {
    throw new UsageError(`--target must be one of ${LINT_TARGETS.join(', ')}; not "${flags.target}"`);
  }
  return {
    sources,
    dialect: dialect as DialectName | 'auto',
    ...(flags.target ? { target: flags.target as LintTarget } : {}),
    json: flags.json === true,
  };
}

/** Reads one input: a file, an http(s) URL, or `-` for standard input. */
async function readSource(source: string, io: ValidateIo): Promise<Buffer> {
  if (source === '-') return io.readStdin();
  if (/^https?:\/\//i.test(source)) {
    const res = await request(source, { method: 'GET', headersTimeout: 15_000, bodyTimeout: 15_000 });
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`${source} answered HTTP ${res.statusCode}`);
    return body;
  }
  return readFile(source);
}

/** `dialtone validate`: exit 0 when every input is valid, 1 when any is not. */
export async function runValidate(options: ValidateOptions, io: ValidateIo): Promise<number> {
  let allValid = true;
  for (const source of options.sources) {
    let record: ValidationRecord;
    let text: string | undefined;
    try {
      const bytes = await readSource(source, io);
      text = bytes.toString('utf8');
      const outcome = parseDocument(bytes, {
        dialect: options.dialect,
        ...(options.target ? { target: options.target } : {}),
      });
      record = validationRecord(source === '-' ? 'stdin' : source, outcome);
    } catch (err) {
      record = {
        source,
        valid: false,
        dialect: null,
        kind: null,
        errors: [{ code: 11200, message: `cannot read ${source}: ${(err as Error).message}`, line: 0, column: 0 }],
        warnings: [],
      };
    }
    if (!record.valid) allValid = false;
    io.stdout(options.json ? JSON.stringify(record) : formatReport(record, text));
  }
  return allValid ? 0 : 1;
}
