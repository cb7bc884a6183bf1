/**
 * Typed documents, derived from the dialect tables: `TwimlNode<'Gather'>` has
 * `attrs.numDigits: number | undefined`, `attrs.finishOnKey: string` (it has a
 * default), and `children` of exactly the nouns the table allows. The interpreter
 * reads nothing else.
 */
import type { apifonicaElements } from './dialects/apifonica.js';
import type { twimlElements } from './dialects/twiml.js';
import type { DialectName } from './dialects/index.js';
import type { DocumentKind } from './node.js';
import type { ElementTable } from './spec.js';

type ValueOf<V> = V extends { readonly type: 'int'; readonly also: readonly (infer W)[] }
  ? number | W
  : V extends { readonly type: 'int' | 'number' }
    ? number
    : V extends { readonly type: 'bool' }
      ? boolean
      : V extends { readonly type: 'enum'; readonly values: readonly (infer E)[] }
        ? E
        : V extends { readonly type: 'list'; readonly values: readonly (infer E)[] }
          ? readonly E[]
          : string;

type AttrTable<E> = E extends { readonly attrs: infer A } ? A : never;

/** Attributes with a default are always present; the others may be absent. */
export type AttrsOf<E> = {
  readonly [K in keyof AttrTable<E> as AttrTable<E>[K] extends { readonly default: unknown } ? K : never]: ValueOf<
    AttrTable<E>[K]
  >;
} & {
  readonly [K in keyof AttrTable<E> as AttrTable<E>[K] extends { readonly default: unknown } ? never : K]?: ValueOf<
    AttrTable<E>[K]
  >;
};

type ChildNames<T extends ElementTable, N extends keyof T> = T[N] extends { readonly children: readonly (infer C)[] }
  ? Extract<C, keyof T & string>
  : never;

/** One element of table T, with its children typed by the same table. */
export type NodeOf<T extends ElementTable, N extends keyof T & string> = {
  readonly name: N;
  readonly line: number;
  readonly column: number;
  /** Trimmed text; for `<Say>`, the plain text of the whole subtree. */
  readonly text: string;
  readonly attrs: AttrsOf<T[N]>;
  readonly children: readonly NodeUnion<T, ChildNames<T, N>>[];
} & (T[N] extends { readonly mixed: true }
  ? { readonly content: readonly (string | NodeUnion<T, ChildNames<T, N>>)[] }
  : unknown);

type NodeUnion<T extends ElementTable, Names extends keyof T & string> = Names extends unknown ? NodeOf<T, Names> : never;

export type TwimlElements = typeof twimlElements;
export type ApifonicaElements = typeof apifonicaElements;
export type TwimlElementName = keyof TwimlElements & string;
export type ApifonicaElementName = keyof ApifonicaElements & string;

export type TwimlNode<N extends TwimlElementName> = NodeOf<TwimlElements, N>;
export type ApifonicaNode<N extends ApifonicaElementName> = NodeOf<ApifonicaElements, N>;

/** A verb directly under `<Response>`: a union discriminated by `name`. */
export type TwimlVerb = NodeUnion<TwimlElements, ChildNames<TwimlElements, 'Response'>>;
export type ApifonicaVerb = NodeUnion<ApifonicaElements, ChildNames<ApifonicaElements, 'response'>>;

interface DocumentBase<D extends DialectName> {
  readonly dialect: D;
  readonly kind: DocumentKind;
}

export interface TwimlDocument extends DocumentBase<'twiml'> {
  readonly root: TwimlNode<'Response'>;
  readonly verbs: readonly TwimlVerb[];
}

export interface ApifonicaDocument extends DocumentBase<'apifonica'> {
  readonly root: ApifonicaNode<'response'>;
  readonly verbs: readonly ApifonicaVerb[];
}

/** What the interpreter runs: a document of one dialect, discriminated by `dialect`. */
export type Document = TwimlDocument | ApifonicaDocument;
