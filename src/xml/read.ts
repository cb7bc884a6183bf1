import type { Document } from './document.js';
import type { XmlIssue } from './issues.js';
import { parseDocument, type ParseOptions } from './parse.js';

export interface ReadResult {
  /**
   * The typed document, with defaults applied and every invalid element or attribute
   * left out (SEM-D5: the call goes on without them); null on a fatal error.
   */
  readonly document: Document | null;
  readonly valid: boolean;
  readonly errors: readonly XmlIssue[];
  readonly warnings: readonly XmlIssue[];
}

/** Reads a document for the interpreter: `parseDocument` with its typed view. */
export function readDocument(input: string | Uint8Array, options: ParseOptions = {}): ReadResult {
  const outcome = parseDocument(input, options);
  const { root, dialect, kind } = outcome;
  // The tree was built from the very table the types derive from, so this view is exact.
  const document =
    root !== null && dialect !== null && kind !== null
      ? ({ dialect, kind, root, verbs: root.children } as unknown as Document)
      : null;
  return { document, valid: outcome.errors.length === 0, errors: outcome.errors, warnings: outcome.warnings };
}
