import { SaxesParser, type SaxesTagPlain, type XMLDecl } from 'saxes';
import { compileDialect, type CompiledDialect, type CompiledElement } from './compile.js';
import { dialects, type DialectName } from './dialects/index.js';
import { Refusal } from './values.js';
import { FatalXmlIssue, XmlCode, type XmlIssue } from './issues.js';
import { PLATFORM_NAMES, type LintTarget } from './lint.js';
import type { Platform } from './spec.js';
import type { DocumentKind, XmlNode } from './node.js';

export interface ParseLimits {
  /** Largest document in bytes (UTF-8); Twilio refuses over 64 kB with 11750. */
  readonly maxBytes: number;
  /** Deepest element nesting, root included. */
  readonly maxDepth: number;
  /** Most elements in one document. */
  readonly maxElements: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxBytes: 64 * 1024, maxDepth: 24, maxElements: 2000 };

export interface ParseOptions {
  /** `auto` (default) tells the dialects apart by the root element. */
  readonly dialect?: DialectName | 'auto';
  /** What the caller expects; `auto` (default) infers it from the verbs. */
  readonly kind?: DocumentKind | 'auto';
  /** Lint for one platform: warn about what it ignores, renames or lacks. */
  readonly target?: LintTarget;
  readonly limits?: Partial<ParseLimits>;
}

export interface ParseOutcome {
  /** The document with defaults applied and invalid parts left out; null when nothing could be read. */
  readonly root: XmlNode | null;
  readonly dialect: DialectName | null;
  readonly kind: DocumentKind | null;
  readonly errors: readonly XmlIssue[];
  readonly warnings: readonly XmlIssue[];
}

interface Frame {
  /** Null when the element was refused: its subtree is skipped without further reports. */
  readonly el: CompiledElement | null;
  readonly node: XmlNode | null;
  text: string;
  /** For mixed elements: text and child nodes in order. */
  readonly content: (string | XmlNode)[] | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function issue(
  code: XmlIssue['code'],
  message: string,
  line: number,
  column: number,
  severity: XmlIssue['severity'] = 'error',
  detail?: number,
): XmlIssue {
  return detail === undefined
    ? { code, message, line, column, severity }
    : { code, detail, message, line, column, severity };
}

function dialectForRoot(name: string): DialectName | undefined {
  for (const [dialectName, spec] of Object.entries(dialects) as [DialectName, (typeof dialects)[DialectName]][]) {
    if (spec.root === name) return dialectName;
  }
  return undefined;
}

/** Collapses XML white space (space, tab, CR, LF) in SSML-bearing text, as a speech engine reads it. */
function collapse(text: string): string {
  return /[ \t\r\n]{2}|[\t\r\n]/.test(text) ? text.replace(/[ \t\r\n]+/g, ' ') : text;
}

/** Apifonica's own examples write `signal=reject` unquoted; we read them the way it does. */
function quoteBareAttributes(text: string): string | null {
  let changed = false;
  const fixed = text.replace(/<[A-Za-z][^<>]*>/g, (tag) =>
    tag.replace(/(\s[A-Za-z_][\w.:-]*)=([^\s"'<>/=]+)/g, (_m, name: string, value: string) => {
      changed = true;
      return `${name}="${value}"`;
    }),
  );
  return changed ? fixed : null;
}

/**
 * Reads one call-control document of any supported dialect into a tree of nodes with
 * typed attribute values and defaults applied. Never throws: every problem becomes an
 * issue with Twilio's code and a line and column.
 */
export function parseDocument(input: string | Uint8Array, options: ParseOptions = {}): ParseOutcome {
  const limits: ParseLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let text: string;
  if (typeof input === 'string') {
    text = input;
    if (text.length > limits.maxBytes && Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
      return failed(issue(XmlCode.TooLarge, `The document is larger than ${limits.maxBytes} bytes`, 1, 1));
    }
  } else {
    if (input.byteLength > limits.maxBytes) {
      return failed(issue(XmlCode.TooLarge, `The document is larger than ${limits.maxBytes} bytes`, 1, 1));
    }
    try {
      text = utf8.decode(input);
    } catch {
      return failed(issue(XmlCode.ParseFailure, 'The document is not valid UTF-8', 1, 1));
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return failed(issue(XmlCode.EmptyBody, 'The document is empty', 1, 1));

  const first = new DocumentReader(text, options, limits).read();
  const dialectWanted = options.target === 'apifonica' ? 'apifonica' : options.dialect;
  const mayBeApifonica = dialectWanted === 'apifonica' || ((dialectWanted ?? 'auto') === 'auto' && /<response[\s>/]/.test(text));
  if (first.root === null && mayBeApifonica && first.errors[0]?.code === XmlCode.ParseFailure) {
    const quoted = quoteBareAttributes(text);
    if (quoted !== null) {
      const second = new DocumentReader(quoted, options, limits).read();
      if (second.root !== null && second.dialect === 'apifonica') {
        const note = issue(
          XmlCode.Schema,
          'Attribute values must be quoted; unquoted values were read as if quoted, as Apifonica does',
          first.errors[0].line,
          first.errors[0].column,
          'warning',
        );
        return { ...second, warnings: [note, ...second.warnings] };
      }
    }
  }
  return first;
}

function failed(fatal: XmlIssue): ParseOutcome {
  return { root: null, dialect: null, kind: null, errors: [fatal], warnings: [] };
}

/**
 * One saxes parser serves every document in turn (parsing is synchronous): building a
 * parser and registering its handlers per document cost more than validating it.
 * saxes resets itself at `close()`; after a fatal error the parser is dropped.
 */
let idleParser: SaxesParser | null = null;
let activeReader: DocumentReader | null = null;

function fail(parser: SaxesParser, err: Error): never {
  const message = err.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '');
  throw new FatalXmlIssue(
    issue(XmlCode.ParseFailure, `The document is not well-formed XML: ${message}`, parser.line, Math.max(1, parser.column)),
  );
}

function newParser(): SaxesParser {
  const parser = new SaxesParser({ position: true });
  parser.on('xmldecl', (decl) => activeReader!.xmlDecl(parser, decl));
  parser.on('doctype', (doctype) => activeReader!.doctype(parser, doctype));
  parser.on('opentagstart', (tag) => activeReader!.markTag(parser, tag.name));
  parser.on('opentag', (tag) => activeReader!.open(tag as SaxesTagPlain));
  parser.on('text', (t) => activeReader!.addText(t));
  parser.on('cdata', (t) => activeReader!.addText(t));
  parser.on('closetag', () => activeReader!.close());
  parser.on('error', (err) => fail(parser, err));
  return parser;
}

function acquireParser(reader: DocumentReader): SaxesParser {
  const parser = idleParser ?? newParser();
  idleParser = null;
  activeReader = reader;
  return parser;
}

function releaseParser(parser: SaxesParser): void {
  activeReader = null;
  idleParser = parser;
}

/** One pass of saxes over one text; holds the state of that pass only. */
class DocumentReader {
  readonly #text: string;
  readonly #options: ParseOptions;
  readonly #limits: ParseLimits;
  readonly #errors: XmlIssue[] = [];
  readonly #warnings: XmlIssue[] = [];
  readonly #stack: Frame[] = [];
  #dialect: CompiledDialect | null = null;
  #dialectName: DialectName | null = null;
  #root: XmlNode | null = null;
  #sawDeclaration = false;
  #elementCount = 0;
  #tagLine = 1;
  #tagColumn = 1;
  /** Offsets of line starts, built only when a tag's position cannot be read off saxes. */
  #lineStarts: number[] | null = null;

  constructor(text: string, options: ParseOptions, limits: ParseLimits) {
    this.#text = text;
    this.#options = options;
    this.#limits = limits;
  }

  read(): ParseOutcome {
    const parser = acquireParser(this);
    try {
      parser.write(this.#text).close();
      releaseParser(parser);
    } catch (err) {
      // A parser abandoned mid-document is not reusable; the next document gets a new one.
      if (err instanceof FatalXmlIssue) {
        return { root: null, dialect: this.#dialectName, kind: null, errors: [err.issue], warnings: this.#warnings };
      }
      throw err;
    }
    const root = this.#root;
    if (root === null || this.#dialect === null) return failed(issue(XmlCode.InvalidRoot, 'The document has no root element', 1, 1));
    if (!this.#sawDeclaration && this.#dialectName === 'apifonica') {
      this.#report(
        this.#options.target === 'apifonica' ? 'error' : 'warning',
        'Apifonica requires the header <?xml version="1.0" encoding="UTF-8"?>',
        1,
        1,
      );
    }
    const kind = this.#checkKind(root);
    return { root, dialect: this.#dialectName, kind, errors: this.#errors, warnings: this.#warnings };
  }


  xmlDecl(parser: SaxesParser, decl: XMLDecl): void {
    this.#sawDeclaration = true;
    if (decl.version !== undefined && decl.version !== '1.0') {
      throw new FatalXmlIssue(
        issue(XmlCode.InvalidVersion, `XML version ${decl.version} is not supported; use 1.0`, parser.line, 1),
      );
    }
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      this.#warnings.push(
        issue(XmlCode.Schema, `The document declares encoding ${decl.encoding}; it was read as UTF-8`, parser.line, 1, 'warning'),
      );
    }
  }

  doctype(parser: SaxesParser, doctype: string): void {
    if (/<!ENTITY/i.test(doctype)) {
      throw new FatalXmlIssue(issue(XmlCode.ParseFailure, 'A DOCTYPE that declares entities is not allowed', parser.line, 1));
    }
    this.#warnings.push(issue(XmlCode.Schema, 'The DOCTYPE declaration is ignored', parser.line, 1, 'warning'));
  }

  #report(severity: XmlIssue['severity'], message: string, line: number, column: number, detail?: number): void {
    (severity === 'error' ? this.#errors : this.#warnings).push(issue(XmlCode.Schema, message, line, column, severity, detail));
  }

  /** Records where the `<` of the tag being opened stands; saxes is one past the name. */
  markTag(parser: SaxesParser, name: string): void {
    this.#elementCount++;
    if (this.#elementCount > this.#limits.maxElements) {
      throw new FatalXmlIssue(
        issue(XmlCode.ParseFailure, `The document has more than ${this.#limits.maxElements} elements`, parser.line, 1),
      );
    }
    if (this.#stack.length >= this.#limits.maxDepth) {
      throw new FatalXmlIssue(
        issue(XmlCode.ParseFailure, `Elements are nested deeper than ${this.#limits.maxDepth} levels`, parser.line, 1),
      );
    }
    const column = parser.columnIndex - name.length - 1;
    if (column >= 1) {
      this.#tagLine = parser.line;
      this.#tagColumn = column;
    } else {
      // A line break right after the name: find the `<` by its offset instead.
      this.#locate(parser.position - name.length - 2);
    }
  }

  #locate(offset: number): void {
    if (this.#lineStarts === null) {
      const starts = [0];
      for (let i = this.#text.indexOf('\n'); i !== -1; i = this.#text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.#lineStarts = starts;
    }
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.#tagLine = lo + 1;
    this.#tagColumn = offset - (starts[lo] ?? 0) + 1;
  }

  open(tag: SaxesTagPlain): void {
    const line = this.#tagLine;
    const column = this.#tagColumn;
    const parent = this.#stack[this.#stack.length - 1];
    if (parent === undefined) {
      this.#openRoot(tag, line, column);
      return;
    }
    if (parent.el === null || this.#dialect === null) {
      this.#stack.push({ el: null, node: null, text: '', content: null });
      return;
    }
    const el = this.#resolve(tag.name, parent.el, line, column);
    if (el === null) {
      this.#stack.push({ el: null, node: null, text: '', content: null });
      return;
    }
    const node = this.#makeNode(el, tag, line, column);
    if (parent.content !== null) {
      if (parent.text !== '') parent.content.push(parent.text);
      parent.text = '';
    }
    this.#stack.push({ el, node, text: '', content: el.spec.mixed ? [] : null });
  }

  #openRoot(tag: SaxesTagPlain, line: number, column: number): void {
    const wanted = this.#options.target === 'apifonica' ? 'apifonica' : (this.#options.dialect ?? 'auto');
    const isPlatformTarget = this.#options.target !== undefined && this.#options.target !== 'apifonica';
    const found = dialectForRoot(tag.name);
    const expected = isPlatformTarget ? 'twiml' : wanted;
    if (found === undefined || (expected !== 'auto' && found !== expected)) {
      const roots =
        expected === 'auto'
          ? '<Response> (TwiML, cXML, TeXML) or <response> (Apifonica)'
          : `<${dialects[expected].root}>${this.#options.target ? ` for ${PLATFORM_NAMES[this.#options.target]}` : ''}`;
      throw new FatalXmlIssue(issue(XmlCode.InvalidRoot, `The root element must be ${roots}, not <${tag.name}>`, line, column));
    }
    this.#dialectName = found;
    this.#dialect = compileDialect(dialects[found]);
    const el = this.#dialect.elements.get(tag.name);
    if (el === undefined) throw new Error(`dialect ${found} has no entry for its root <${tag.name}>`);
    const node = this.#makeNode(el, tag, line, column);
    this.#root = node;
    this.#stack.push({ el, node, text: '', content: null });
  }

  /** Finds the element for a tag under a parent, reporting an unknown or misplaced one. */
  #resolve(name: string, parent: CompiledElement, line: number, column: number): CompiledElement | null {
    const dialect = this.#dialect!;
    let el = dialect.elements.get(name);
    if (el === undefined) {
      const canonical = dialect.aliases.get(name);
      if (canonical !== undefined) {
        el = dialect.elements.get(canonical);
        this.#report('warning', `<${name}> is read as <${canonical}>, its name in the current documentation`, line, column);
      }
    }
    const isRoot = parent.name === dialect.spec.root;
    if (el === undefined) {
      const suggestion = dialect.elementsByLowerCase.get(name.toLowerCase());
      const hint = suggestion ? `; names are case-sensitive: did you mean <${suggestion}>?` : '';
      this.#report('error', `<${name}> is not ${isRoot ? 'a verb' : 'an element'} of ${dialectLabel(dialect)}${hint}`, line, column, isRoot ? undefined : parent.spec.nestingDetail);
      return null;
    }
    if (!parent.children.has(el.name)) {
      const where = isRoot ? `directly in <${parent.name}>` : `inside <${parent.name}>`;
      const homes = [...dialect.elements.values()].filter((e) => e.children.has(el.name)).map((e) => `<${e.name}>`);
      const hint = homes.length > 0 ? `; it belongs in ${homes.join(' or ')}` : '';
      this.#report('error', `<${el.name}> is not allowed ${where}${hint}`, line, column, parent.spec.nestingDetail);
      return null;
    }
    this.#lintElement(el, line, column);
    return el;
  }

  #makeNode(el: CompiledElement, tag: SaxesTagPlain, line: number, column: number): XmlNode {
    const attrs: Record<string, unknown> = { ...el.defaults };
    for (const rawName in tag.attributes) {
      const raw = tag.attributes[rawName] as string;
      const alias = el.attrAliases.get(rawName);
      const name = alias ?? rawName;
      const attr = el.attrs.get(name);
      if (attr === undefined) {
        if (rawName.startsWith('xmlns')) continue;
        const suggestion = el.attrsByLowerCase.get(rawName.toLowerCase());
        const hint = suggestion ? `; names are case-sensitive: did you mean ${suggestion}?` : '';
        this.#report('warning', `<${el.name}> has no attribute ${rawName}; it is ignored${hint}`, ...this.#attrPosition(rawName, line, column));
        continue;
      }
      if (alias !== undefined) {
        this.#report('warning', `<${el.name}> attribute ${rawName} is read as ${alias}`, ...this.#attrPosition(rawName, line, column));
      }
      const value = attr.read(raw);
      if (value instanceof Refusal) {
        this.#report(
          'error',
          `<${el.name}> ${name}="${raw}" ${value.reason}`,
          ...this.#attrPosition(rawName, line, column),
          attr.spec.detail,
        );
        continue;
      }
      attrs[name] = value;
      if (this.#options.target !== undefined) this.#lintAttribute(el, name, rawName, line, column);
    }
    for (const name of el.requiredAttrs) {
      if (attrs[name] === undefined && tag.attributes[name] === undefined) {
        this.#report('error', `<${el.name}> needs a ${name} attribute`, line, column, el.spec.nestingDetail);
      }
    }
    return { name: el.name, line, column, text: '', attrs, children: [] };
  }

  /** Where an attribute stands, found in the source only when there is something to report. */
  #attrPosition(name: string, line: number, column: number): [number, number] {
    const lineText = this.#lineText(line);
    const at = lineText.slice(column - 1).search(new RegExp(`\\s${name.replace(/[.*+?^${}()|[\]\\:-]/g, '\\$&')}\\s*=`));
    return at === -1 ? [line, column] : [line, column + at + 1];
  }

  #lineText(line: number): string {
    let start = 0;
    for (let n = 1; n < line; n++) {
      const next = this.#text.indexOf('\n', start);
      if (next === -1) return '';
      start = next + 1;
    }
    const end = this.#text.indexOf('\n', start);
    return this.#text.slice(start, end === -1 ? undefined : end);
  }

  addText(t: string): void {
    const frame = this.#stack[this.#stack.length - 1];
    if (frame !== undefined) frame.text += t;
  }

  close(): void {
    const frame = this.#stack.pop();
    if (frame === undefined || frame.el === null || frame.node === null) return;
    const { el, node } = frame;
    if (frame.content !== null) {
      if (frame.text !== '') frame.content.push(frame.text);
      const content = normaliseMixed(frame.content);
      node.content = content;
      node.text = collapse(content.map((part) => (typeof part === 'string' ? part : part.text)).join('')).trim();
    } else {
      node.text = frame.text.trim();
    }
    this.#checkText(el, node);
    this.#checkChildCounts(el, node);
    const parent = this.#stack[this.#stack.length - 1];
    if (parent?.node) {
      parent.node.children.push(node);
      if (parent.content !== null) parent.content.push(node);
    }
  }

  #checkChildCounts(el: CompiledElement, node: XmlNode): void {
    const { minChildren, maxChildren } = el.spec;
    if (minChildren !== undefined && node.children.length < minChildren) {
      const kinds = [...el.children].map((c) => `<${c}>`).join(', ');
      this.#report('error', `<${el.name}> needs at least ${minChildren} of ${kinds}`, node.line, node.column, el.spec.nestingDetail);
    }
    if (maxChildren !== undefined && node.children.length > maxChildren) {
      const counts = new Map<string, number>();
      for (const child of node.children) counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
      for (const [name, count] of counts) {
        if (count > maxChildren) {
          this.#report('error', `<${el.name}> holds ${count} <${name}>; the most is ${maxChildren}`, node.line, node.column, el.spec.nestingDetail);
        }
      }
    }
  }

  #checkText(el: CompiledElement, node: XmlNode): void {
    const spec = el.text;
    if (spec === undefined) {
      if (node.text !== '') {
        this.#report('error', `<${el.name}> takes no text, but has "${abbreviate(node.text)}"`, node.line, node.column, el.spec.nestingDetail);
        node.text = '';
      }
      return;
    }
    if (node.text === '') {
      const excused =
        spec.requiredUnless === 'children'
          ? node.children.length > 0
          : spec.requiredUnless !== undefined && node.attrs[spec.requiredUnless] !== undefined;
      if (spec.required === true || (spec.requiredUnless !== undefined && !excused)) {
        this.#report('error', `<${el.name}> needs ${describeText(spec.type)}`, node.line, node.column, spec.detail ?? el.spec.nestingDetail);
      }
      return;
    }
    if (spec.requiredUnless === 'children' && node.children.length > 0 && !el.spec.mixed) {
      this.#report('error', `<${el.name}> takes text or nested elements, not both`, node.line, node.column, el.spec.nestingDetail);
      return;
    }
    const value = spec.read(node.text);
    if (value instanceof Refusal) {
      this.#report('error', `<${el.name}> text "${abbreviate(node.text)}" ${value.reason}`, node.line, node.column, spec.detail ?? el.spec.nestingDetail);
    } else if (typeof value === 'string' && !el.spec.mixed) {
      node.text = value;
    }
  }

  /** Infers voice or messaging from the verbs, and reports verbs of the other kind. */
  #checkKind(root: XmlNode): DocumentKind {
    const dialect = this.#dialect!;
    const wanted = this.#options.kind ?? 'auto';
    let kind: DocumentKind;
    if (wanted !== 'auto') {
      kind = wanted;
    } else {
      const kinds = root.children.map((verb) => dialect.elements.get(verb.name)?.spec.kind ?? 'voice');
      const hasMessaging = kinds.includes('messaging');
      const allShared = kinds.length > 0 && kinds.every((k) => k === 'both');
      // Apifonica's sendMessage serves both kinds: a document of nothing else is a message reply.
      const onlyMessages = dialect.spec.name === 'apifonica' && allShared && root.children.some((v) => v.name === 'sendMessage');
      kind = hasMessaging || onlyMessages ? 'messaging' : 'voice';
    }
    const kept: XmlNode[] = [];
    for (const verb of root.children) {
      const verbKind = dialect.elements.get(verb.name)?.spec.kind ?? 'voice';
      if (verbKind !== 'both' && verbKind !== kind) {
        const message =
          kind === 'messaging'
            ? `<${verb.name}> cannot be used in a messaging document`
            : `<${verb.name}> is a messaging verb; a voice document cannot use it`;
        this.#report('error', message, verb.line, verb.column, kind === 'messaging' ? dialect.spec.messagingVerbDetail : undefined);
      } else {
        kept.push(verb);
      }
    }
    if (kept.length !== root.children.length) root.children = kept;
    return kind;
  }

  #lintElement(el: CompiledElement, line: number, column: number): void {
    const target = this.#options.target;
    if (target === undefined || target === 'apifonica') return;
    const { platforms, advice } = el.spec;
    if (platforms !== undefined && !platforms.includes(target)) {
      const more = advice?.[target] ? `: ${advice[target]}` : '';
      this.#report('warning', `${PLATFORM_NAMES[target]} has no <${el.name}>${more}`, line, column);
    } else if (advice?.[target]) {
      this.#report('warning', `${PLATFORM_NAMES[target]}: <${el.name}> ${advice[target]}`, line, column);
    }
  }

  #lintAttribute(el: CompiledElement, name: string, rawName: string, elementLine: number, elementColumn: number): void {
    const target = this.#options.target;
    if (target === undefined || target === 'apifonica') return;
    const elementMissing = el.spec.platforms !== undefined && !el.spec.platforms.includes(target);
    if (elementMissing) return;
    const spec = el.attrs.get(name)!.spec;
    const advice = spec.advice?.[target as Platform];
    const missing = spec.platforms !== undefined && !spec.platforms.includes(target);
    if (!missing && !advice) return;
    const [line, column] = this.#attrPosition(rawName, elementLine, elementColumn);
    if (missing) {
      this.#report('warning', `${PLATFORM_NAMES[target]} ignores <${el.name}> ${name}${advice ? `: ${advice}` : ''}`, line, column);
    } else {
      this.#report('warning', `${PLATFORM_NAMES[target]}: <${el.name}> ${name} ${advice}`, line, column);
    }
  }
}

function dialectLabel(dialect: CompiledDialect): string {
  return dialect.spec.name === 'apifonica' ? 'Apifonica XML' : 'TwiML';
}

function describeText(type: string): string {
  return type === 'url' ? 'a URL as its text' : 'text';
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Collapses white space in mixed content and trims its two ends. */
function normaliseMixed(parts: (string | XmlNode)[]): (string | XmlNode)[] {
  const out: (string | XmlNode)[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      out.push(part);
      continue;
    }
    const text = collapse(part);
    if (text !== '') out.push(text);
  }
  const head = out[0];
  if (typeof head === 'string') {
    const trimmed = head.trimStart();
    if (trimmed === '') out.shift();
    else out[0] = trimmed;
  }
  const last = out[out.length - 1];
  if (typeof last === 'string') {
    const trimmed = last.trimEnd();
    if (trimmed === '') out.pop();
    else out[out.length - 1] = trimmed;
  }
  return out;
}
