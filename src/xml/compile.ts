import type { AttrSpec, DialectSpec, ElementSpec, TextSpec } from './spec.js';
import { valueReader, type ValueReader } from './values.js';

export interface CompiledAttr {
  readonly name: string;
  readonly spec: AttrSpec;
  readonly read: ValueReader;
}

export interface CompiledElement {
  readonly name: string;
  readonly spec: ElementSpec;
  readonly attrs: ReadonlyMap<string, CompiledAttr>;
  /** Attribute names by lower case, to suggest the right spelling of a mistyped one. */
  readonly attrsByLowerCase: ReadonlyMap<string, string>;
  readonly attrAliases: ReadonlyMap<string, string>;
  /** The defaults of every attribute that has one, copied into each node. */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly children: ReadonlySet<string>;
  /** Attributes without which the element is invalid. */
  readonly requiredAttrs: readonly string[];
  readonly text: (TextSpec & { readonly read: ValueReader }) | undefined;
}

export interface CompiledDialect {
  readonly spec: DialectSpec;
  readonly elements: ReadonlyMap<string, CompiledElement>;
  readonly elementsByLowerCase: ReadonlyMap<string, string>;
  readonly aliases: ReadonlyMap<string, string>;
}

function compileElement(name: string, spec: ElementSpec): CompiledElement {
  const attrs = new Map<string, CompiledAttr>();
  const attrsByLowerCase = new Map<string, string>();
  const defaults: Record<string, unknown> = {};
  for (const [attrName, attrSpec] of Object.entries(spec.attrs)) {
    attrs.set(attrName, { name: attrName, spec: attrSpec, read: valueReader(attrSpec) });
    attrsByLowerCase.set(attrName.toLowerCase(), attrName);
    if (attrSpec.default !== undefined) defaults[attrName] = attrSpec.default;
  }
  return {
    name,
    spec,
    attrs,
    attrsByLowerCase,
    attrAliases: new Map(Object.entries(spec.attrAliases ?? {})),
    defaults: Object.freeze(defaults),
    children: new Set(spec.children ?? []),
    requiredAttrs: Object.entries(spec.attrs)
      .filter(([, a]) => a.required === true)
      .map(([n]) => n),
    text: spec.text ? { ...spec.text, read: valueReader(spec.text) } : undefined,
  };
}

const cache = new WeakMap<DialectSpec, CompiledDialect>();

/** Turns a dialect table into lookup maps and value readers, once per table. */
export function compileDialect(spec: DialectSpec): CompiledDialect {
  const hit = cache.get(spec);
  if (hit) return hit;
  const elements = new Map<string, CompiledElement>();
  const elementsByLowerCase = new Map<string, string>();
  for (const [name, elementSpec] of Object.entries(spec.elements)) {
    elements.set(name, compileElement(name, elementSpec));
    elementsByLowerCase.set(name.toLowerCase(), name);
  }
  const compiled: CompiledDialect = {
    spec,
    elements,
    elementsByLowerCase,
    aliases: new Map(Object.entries(spec.aliases ?? {})),
  };
  cache.set(spec, compiled);
  return compiled;
}
