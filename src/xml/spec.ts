/**
 * The shape of a dialect table. A dialect is data: each element names its attributes
 * (value kind, default, the Twilio detail code for a bad value), the children it may
 * hold, what its text means, and on which platforms it exists. The parser, the typed
 * document, the builders and the `--target` lint all read these tables; nothing else
 * in src/xml knows a verb by name.
 */

/** Platforms of the TwiML family; `--target` lints a document for one of them. */
export const PLATFORMS = ['twilio', 'signalwire', 'telnyx', 'commio'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** How an attribute value (or an element's text) is read. */
export type ValueSpec =
  /** Free text; `pattern` and `maxLength` narrow it. */
  | { readonly type: 'string'; readonly pattern?: RegExp; readonly maxLength?: number }
  /** An absolute or relative URL (resolved later against the document URL). */
  | { readonly type: 'url' }
  /** A whole number; `also` lists words accepted beside numbers (e.g. `auto`). */
  | {
      readonly type: 'int';
      readonly min?: number;
      readonly max?: number;
      readonly also?: readonly string[];
    }
  /** A decimal number. */
  | { readonly type: 'number'; readonly min?: number; readonly max?: number }
  /** `true` or `false` (case-insensitive). */
  | { readonly type: 'bool' }
  /**
   * One of `values`. `aliases` maps legacy spellings onto a value (Dial `record="true"`).
   * `caseInsensitive` accepts any case and yields the listed spelling (HTTP methods).
   */
  | {
      readonly type: 'enum';
      readonly values: readonly string[];
      readonly aliases?: Readonly<Record<string, string>>;
      readonly caseInsensitive?: boolean;
    }
  /** A space-separated (or `separator`-separated) set drawn from `values`. */
  | {
      readonly type: 'list';
      readonly values: readonly string[];
      readonly separator?: string;
    };

export type AttrSpec = ValueSpec & {
  /** Applied when the attribute is absent or (at run time) invalid. */
  readonly default?: string | number | boolean | readonly string[];
  /** Twilio's per-attribute code for an invalid value (13xxx, 14xxx), reported as detail. */
  readonly detail?: number;
  /** Platforms that read this attribute; absent means every platform that has the element. */
  readonly platforms?: readonly Platform[];
  /** Per-platform advice for `--target`, e.g. `{ telnyx: 'TeXML calls this fromDisplayName' }`. */
  readonly advice?: Partial<Readonly<Record<Platform, string>>>;
  /** The element is invalid without this attribute (`<Stream url>`, `<Parameter name>`). */
  readonly required?: boolean;
  /** One line for builders' doc comments and the OpenAPI description. */
  readonly doc?: string;
};

/** What an element's text content means. */
export type TextSpec = ValueSpec & {
  /** Text is required (e.g. the URL of `<Play>` unless `digits` is given: see `requiredUnless`). */
  readonly required?: boolean;
  /** Text is optional when this attribute is present (`<Play digits>`), or when children exist. */
  readonly requiredUnless?: 'children' | string;
  /** Twilio's code for missing or invalid text (13520 for `<Say>`), reported as detail. */
  readonly detail?: number;
};

export interface ElementSpec {
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** Names of elements allowed inside; absent or empty means none. */
  readonly children?: readonly string[];
  /** Text content; absent means the element takes no text (whitespace is always fine). */
  readonly text?: TextSpec;
  /** Text and children interleave and their order matters (`<Say>` with SSML). */
  readonly mixed?: boolean;
  /** Twilio's code for a child that is not allowed here (13215 Dial, 13320 Gather, 14300 Start). */
  readonly nestingDetail?: number;
  /** The most children of one kind (`Media` ≤ 10, Dial targets ≤ 10). */
  readonly maxChildren?: number;
  /** The fewest element children (`<makeCall>` needs a target, `<Refer>` its `<Sip>`). */
  readonly minChildren?: number;
  /** For verbs directly under the root: which kind of document they belong to. */
  readonly kind?: 'voice' | 'messaging' | 'both';
  /** Platforms that have this element; absent means all of them. */
  readonly platforms?: readonly Platform[];
  /** Per-platform advice for `--target` when the element is missing or differs there. */
  readonly advice?: Partial<Readonly<Record<Platform, string>>>;
  /** Old or foreign attribute names read as another (`time` → `length` on Apifonica `wait`). */
  readonly attrAliases?: Readonly<Record<string, string>>;
  readonly doc?: string;
}

export type ElementTable = Readonly<Record<string, ElementSpec>>;

export interface DialectSpec<T extends ElementTable = ElementTable> {
  readonly name: 'twiml' | 'apifonica';
  /** The root element's name: `Response` or `response`. */
  readonly root: keyof T & string;
  readonly elements: T;
  /** Other names accepted for an element, each with a warning (`hangup` → `endCall`). */
  readonly aliases?: Readonly<Record<string, keyof T & string>>;
  /** Code reported for a verb that does not belong in a messaging document. */
  readonly messagingVerbDetail?: number;
}
