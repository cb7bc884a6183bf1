/**
 * What the validator reports. Codes are Twilio's (every dialect in the seeds reuses
 * them): 12100 parse failure, 12101 XML version, 12102 root element, 12200 schema,
 * 11750 document too large. `detail` carries the per-verb 13xxx/14xxx code.
 */
export const XmlCode = {
  ParseFailure: 12100,
  InvalidVersion: 12101,
  InvalidRoot: 12102,
  Schema: 12200,
  TooLarge: 11750,
  EmptyBody: 11770,
} as const;
export type XmlCodeValue = (typeof XmlCode)[keyof typeof XmlCode];

export type Severity = 'error' | 'warning';

export interface XmlIssue {
  readonly code: XmlCodeValue;
  /** Twilio's per-verb code (13xxx, 14xxx) where it defines one. */
  readonly detail?: number;
  readonly message: string;
  /** 1-based line of the element (or character) at fault. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  readonly severity: Severity;
}

/** Raised inside the parser to stop at a fatal error; never escapes `parseDocument`. */
export class FatalXmlIssue extends Error {
  constructor(readonly issue: XmlIssue) {
    super(issue.message);
  }
}
