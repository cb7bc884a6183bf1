/**
 * Document builders derived from the dialect tables. Each builder offers exactly the
 * children its element allows (`gather.say()` compiles, `gather.dial()` does not) and
 * typed attributes; `toString()` emits a document the validator accepts.
 *
 *   const r = new VoiceResponse();
 *   r.gather({ numDigits: 1, action: '/menu' }).say('Press 1 for sales');
 *   r.dial({ callerId: '+15550100' }).number('+15550199');
 */
import { apifonica } from './dialects/apifonica.js';
import { twiml } from './dialects/twiml.js';
import type { ApifonicaElements, TwimlElements } from './document.js';
import type { DialectSpec, ElementSpec, ElementTable, ValueSpec } from './spec.js';

type InputOf<V> = V extends { readonly type: 'int' | 'number' }
  ? number | (V extends { readonly also: readonly (infer W)[] } ? W : never)
  : V extends { readonly type: 'bool' }
    ? boolean
    : V extends { readonly type: 'enum'; readonly values: readonly (infer E)[] }
      ? E
      : V extends { readonly type: 'list'; readonly values: readonly (infer E)[] }
        ? readonly E[] | E
        : string;

type AttrsInput<E> = E extends { readonly attrs: infer A } ? { readonly [K in keyof A]?: InputOf<A[K]> } : never;

type ChildNames<T extends ElementTable, N extends keyof T> = T[N] extends { readonly children: readonly (infer C)[] }
  ? Extract<C, keyof T & string>
  : never;

/** `say-as` → `sayAs`, `Number` → `number`. */
type MethodName<N extends string> = N extends `${infer A}-${infer B}` ? `${Uncapitalize<A>}${Capitalize<MethodName<B>>}` : Uncapitalize<N>;

type AddChild<T extends ElementTable, C extends keyof T & string> = T[C] extends { readonly text: unknown }
  ? {
      (text?: string, attrs?: AttrsInput<T[C]>): ElementBuilder<T, C>;
      (attrs: AttrsInput<T[C]>): ElementBuilder<T, C>;
    }
  : (attrs?: AttrsInput<T[C]>) => ElementBuilder<T, C>;

/** The builder of element N: one method per child the table allows. */
export type ElementBuilder<T extends ElementTable, N extends keyof T & string, Allowed extends string = ChildNames<T, N>> = {
  readonly [C in Allowed as MethodName<C>]: AddChild<T, C & keyof T & string>;
} & (T[N] extends { readonly mixed: true } ? { text(text: string): ElementBuilder<T, N, Allowed> } : unknown) & {
  toString(): string;
};

type VoiceVerbNames = {
  [K in ChildNames<TwimlElements, 'Response'>]: TwimlElements[K] extends { readonly kind: 'messaging' } ? never : K;
}[ChildNames<TwimlElements, 'Response'>];
type MessagingVerbNames = {
  [K in ChildNames<TwimlElements, 'Response'>]: TwimlElements[K] extends { readonly kind: 'voice' } ? never : K;
}[ChildNames<TwimlElements, 'Response'>];

interface BuiltNode {
  readonly name: string;
  readonly attrs: [string, string][];
  /** Text and children in order. */
  readonly content: (string | BuiltNode)[];
}

function methodName(name: string): string {
  return name
    .split('-')
    .map((part, i) => (i === 0 ? part.charAt(0).toLowerCase() + part.slice(1) : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

function formatValue(spec: ValueSpec, value: unknown): string {
  if (Array.isArray(value)) return value.join(spec.type === 'list' ? (spec.separator ?? ' ') : ' ');
  return String(value);
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function serialize(node: BuiltNode): string {
  const attrs = node.attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  if (node.content.length === 0) return `<${node.name}${attrs}/>`;
  const inner = node.content.map((part) => (typeof part === 'string' ? escapeText(part) : serialize(part))).join('');
  return `<${node.name}${attrs}>${inner}</${node.name}>`;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * One prototype per element and allowed-children set, built once from the table; a
 * builder instance only holds its node.
 */
class Factory {
  readonly #spec: DialectSpec;
  readonly #prototypes = new Map<string, object>();
  readonly #nodes = new WeakMap<object, BuiltNode>();
  readonly #root: BuiltNode;

  constructor(spec: DialectSpec, root: BuiltNode) {
    this.#spec = spec;
    this.#root = root;
  }

  node(builder: object): BuiltNode {
    const node = this.#nodes.get(builder);
    if (node === undefined) throw new TypeError('not a builder of this document');
    return node;
  }

  make(node: BuiltNode, allowed?: readonly string[]): object {
    const builder = Object.create(this.#prototype(node.name, allowed)) as object;
    this.#nodes.set(builder, node);
    return builder;
  }

  #prototype(name: string, allowedOverride?: readonly string[]): object {
    const key = allowedOverride ? `${name}:${allowedOverride.join(',')}` : name;
    const hit = this.#prototypes.get(key);
    if (hit) return hit;
    const spec = this.#spec.elements[name] as ElementSpec;
    const factory = this;
    const proto: Record<string, unknown> = {
      toString(this: object): string {
        return `${DECLARATION}${serialize(factory.#root)}`;
      },
    };
    if (spec.mixed) {
      proto.text = function text(this: object, value: string): object {
        factory.node(this).content.push(value);
        return this;
      };
    }
    for (const child of allowedOverride ?? spec.children ?? []) {
      const childSpec = this.#spec.elements[child] as ElementSpec;
      const takesText = childSpec.text !== undefined;
      proto[methodName(child)] = function add(this: object, a?: unknown, b?: unknown): object {
        // Elements that take text are called (text, attrs) or (attrs).
        const text = takesText && typeof a === 'string' ? a : undefined;
        const attrs = (text !== undefined || (takesText && a === undefined) ? b : a) as Record<string, unknown> | undefined;
        const node: BuiltNode = { name: child, attrs: [], content: text !== undefined && text !== '' ? [text] : [] };
        for (const [k, v] of Object.entries(attrs ?? {})) {
          if (v === undefined) continue;
          const attrSpec = childSpec.attrs[k];
          node.attrs.push([k, attrSpec ? formatValue(attrSpec, v) : String(v)]);
        }
        factory.node(this).content.push(node);
        return factory.make(node);
      };
    }
    this.#prototypes.set(key, proto);
    return proto;
  }
}

function rootBuilder(spec: DialectSpec, allowed: readonly string[]): object {
  const root: BuiltNode = { name: spec.root, attrs: [], content: [] };
  return new Factory(spec, root).make(root, allowed);
}

const twimlRootChildren = (twiml.elements.Response.children ?? []) as readonly string[];
const voiceVerbs = twimlRootChildren.filter((n) => (twiml.elements as ElementTable)[n]?.kind !== 'messaging');
const messagingVerbs = twimlRootChildren.filter((n) => (twiml.elements as ElementTable)[n]?.kind !== 'voice');

export type VoiceResponse = ElementBuilder<TwimlElements, 'Response', VoiceVerbNames>;
export type MessagingResponse = ElementBuilder<TwimlElements, 'Response', MessagingVerbNames>;
export type ApifonicaResponse = ElementBuilder<ApifonicaElements, 'response'>;

/** A TwiML voice document (Twilio, SignalWire, Telnyx, Commio). */
export const VoiceResponse = function VoiceResponse(): VoiceResponse {
  return rootBuilder(twiml as DialectSpec, voiceVerbs) as VoiceResponse;
} as unknown as new () => VoiceResponse;

/** A TwiML messaging document: `<Message>` and `<Redirect>`. */
export const MessagingResponse = function MessagingResponse(): MessagingResponse {
  return rootBuilder(twiml as DialectSpec, messagingVerbs) as MessagingResponse;
} as unknown as new () => MessagingResponse;

/** An Apifonica XML document. */
export const ApifonicaResponse = function ApifonicaResponse(): ApifonicaResponse {
  return rootBuilder(apifonica as DialectSpec, (apifonica.elements.response.children ?? []) as readonly string[]) as ApifonicaResponse;
} as unknown as new () => ApifonicaResponse;
