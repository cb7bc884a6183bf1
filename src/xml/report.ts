import type { XmlIssue } from './issues.js';
import type { ParseOutcome } from './parse.js';

/** One issue as `dialtone validate --json` and `POST /v1/validate` print it. */
export interface IssueRecord {
  readonly code: number;
  readonly detail?: number;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** The validation record: the public JSON shape of one validated input. */
export interface ValidationRecord {
  readonly source: string;
  readonly valid: boolean;
  readonly dialect: 'twiml' | 'apifonica' | null;
  readonly kind: 'voice' | 'messaging' | null;
  readonly errors: readonly IssueRecord[];
  readonly warnings: readonly IssueRecord[];
}

function toRecord(i: XmlIssue): IssueRecord {
  return i.detail === undefined
    ? { code: i.code, message: i.message, line: i.line, column: i.column }
    : { code: i.code, detail: i.detail, message: i.message, line: i.line, column: i.column };
}

export function validationRecord(source: string, outcome: ParseOutcome): ValidationRecord {
  return {
    source,
    valid: outcome.errors.length === 0,
    dialect: outcome.dialect,
    kind: outcome.kind,
    errors: outcome.errors.map(toRecord),
    warnings: outcome.warnings.map(toRecord),
  };
}

/**
 * The readable report: each issue with its line of the document and a caret under
 * the column, the way compilers show errors.
 */
export function formatReport(record: ValidationRecord, text: string | undefined): string {
  const lines = text?.split(/\r?\n/);
  const out: string[] = [];
  const what = record.dialect ? `${record.dialect} ${record.kind ?? ''} document`.replace(/ +/g, ' ').trim() : 'document';
  out.push(`${record.source}: ${record.valid ? 'valid' : 'invalid'} ${what}` +
    (record.errors.length + record.warnings.length > 0
      ? ` (${plural(record.errors.length, 'error')}, ${plural(record.warnings.length, 'warning')})`
      : ''));
  const issues = [
    ...record.errors.map((i) => ({ ...i, label: 'error' })),
    ...record.warnings.map((i) => ({ ...i, label: 'warning' })),
  ].sort((a, b) => a.line - b.line || a.column - b.column);
  for (const i of issues) {
    const code = i.detail === undefined ? `${i.code}` : `${i.code}/${i.detail}`;
    out.push(`  ${record.source}:${i.line}:${i.column} ${i.label} ${code}: ${i.message}`);
    const src = lines?.[i.line - 1];
    if (src !== undefined && src.trim() !== '') {
      const shown = src.replace(/\t/g, ' ');
      const gutter = `${i.line} | `;
      out.push(`    ${gutter}${shown.length > 160 ? `${shown.slice(0, 157)}...` : shown}`);
      out.push(`    ${' '.repeat(gutter.length + Math.max(0, Math.min(i.column - 1, 160)))}^`);
    }
  }
  return out.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
