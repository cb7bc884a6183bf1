export { parseDocument, DEFAULT_LIMITS, type ParseOptions, type ParseOutcome, type ParseLimits } from './parse.js';
export { XmlCode, type XmlIssue, type Severity } from './issues.js';
export { validationRecord, formatReport, type ValidationRecord, type IssueRecord } from './report.js';
export { LINT_TARGETS, PLATFORM_NAMES, type LintTarget } from './lint.js';
export { dialects, DIALECT_NAMES, type DialectName } from './dialects/index.js';
export { PLATFORMS, type Platform } from './spec.js';
export type { XmlNode, DocumentKind } from './node.js';
export { readDocument, type ReadResult } from './read.js';
export type {
  Document,
  TwimlDocument,
  ApifonicaDocument,
  TwimlVerb,
  ApifonicaVerb,
  TwimlNode,
  ApifonicaNode,
  TwimlElementName,
  ApifonicaElementName,
  AttrsOf,
} from './document.js';
export { VoiceResponse, MessagingResponse, ApifonicaResponse, type ElementBuilder } from './builders.js';
