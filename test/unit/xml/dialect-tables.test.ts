import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { apifonica } from '../../../src/xml/dialects/apifonica.js';
import { twiml } from '../../../src/xml/dialects/twiml.js';
import { parseDocument } from '../../../src/xml/index.js';
import { PLATFORMS, type AttrSpec, type DialectSpec, type ElementSpec, type ValueSpec } from '../../../src/xml/spec.js';

const DIALECTS: readonly DialectSpec[] = [twiml, apifonica];

function entries(dialect: DialectSpec): [string, ElementSpec][] {
  return Object.entries(dialect.elements);
}

function attrEntries(dialect: DialectSpec): [string, string, AttrSpec][] {
  return entries(dialect).flatMap(([el, spec]) => Object.entries(spec.attrs).map(([a, s]): [string, string, AttrSpec] => [el, a, s]));
}

/** Why `value` is not a valid value of `spec`, or null when it is. */
function invalidValue(spec: ValueSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return 'is not a string';
      if (spec.maxLength !== undefined && value.length > spec.maxLength) return `is longer than ${spec.maxLength}`;
      if (spec.pattern && !spec.pattern.test(value)) return `does not match ${spec.pattern}`;
      return null;
    case 'url':
      return typeof value === 'string' && value.trim() !== '' && !/\s/.test(value) ? null : 'is not a URL';
    case 'int':
      if (typeof value === 'string' && spec.also?.includes(value)) return null;
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'is not a whole number';
      if (spec.min !== undefined && value < spec.min) return `is below ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `is above ${spec.max}`;
      return null;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'is not a number';
      if (spec.min !== undefined && value < spec.min) return `is below ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `is above ${spec.max}`;
      return null;
    case 'bool':
      return typeof value === 'boolean' ? null : 'is not a boolean';
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value) ? null : `is not one of ${spec.values.join(', ')}`;
    case 'list':
      if (!Array.isArray(value)) return 'is not an array';
      for (const item of value) if (!spec.values.includes(item as string)) return `has ${String(item)}, not one of ${spec.values.join(', ')}`;
      return null;
  }
}

/** Every value spec of a dialect: attributes and element texts, with a label. */
function valueSpecs(dialect: DialectSpec): [string, ValueSpec][] {
  const out: [string, ValueSpec][] = [];
  for (const [el, a, spec] of attrEntries(dialect)) out.push([`<${el}> ${a}`, spec]);
  for (const [el, spec] of entries(dialect)) if (spec.text) out.push([`<${el}> text`, spec.text]);
  return out;
}

for (const dialect of DIALECTS) {
  const keys = new Set(Object.keys(dialect.elements));
  const root = dialect.elements[dialect.root];

  describe(`${dialect.name} table`, () => {
    it('has its root, and the root has children', () => {
      assert.ok(root, `no entry for the root <${dialect.root}>`);
      assert.ok((root.children ?? []).length > 0);
      assert.equal(root.kind, undefined, 'the root itself has no kind');
    });

    it('names only its own elements as children, each once', () => {
      const problems: string[] = [];
      for (const [name, spec] of entries(dialect)) {
        const seen = new Set<string>();
        for (const child of spec.children ?? []) {
          if (!keys.has(child)) problems.push(`<${name}> lists unknown child <${child}>`);
          if (seen.has(child)) problems.push(`<${name}> lists <${child}> twice`);
          seen.add(child);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('reaches every element from the root', () => {
      const reached = new Set<string>([dialect.root]);
      const queue = [dialect.root as string];
      while (queue.length > 0) {
        for (const child of dialect.elements[queue.shift()!]?.children ?? []) {
          if (!reached.has(child)) {
            reached.add(child);
            queue.push(child);
          }
        }
      }
      assert.deepEqual([...keys].filter((k) => !reached.has(k)), []);
    });

    it('gives every verb under the root a kind, and no other element one', () => {
      const verbs = new Set(root?.children ?? []);
      const problems: string[] = [];
      for (const [name, spec] of entries(dialect)) {
        if (name === dialect.root) continue;
        if (verbs.has(name) && spec.kind === undefined) problems.push(`<${name}> is a verb without kind`);
        if (!verbs.has(name) && spec.kind !== undefined) problems.push(`<${name}> has a kind but is not a verb`);
      }
      assert.deepEqual(problems, []);
    });

    it('has no two element names, or attribute names of one element, that differ only in case', () => {
      const problems: string[] = [];
      const lower = new Map<string, string>();
      for (const [name, spec] of entries(dialect)) {
        const clash = lower.get(name.toLowerCase());
        if (clash) problems.push(`<${clash}> and <${name}>`);
        lower.set(name.toLowerCase(), name);
        const attrs = new Map<string, string>();
        for (const a of Object.keys(spec.attrs)) {
          const other = attrs.get(a.toLowerCase());
          if (other) problems.push(`<${name}> ${other} and ${a}`);
          attrs.set(a.toLowerCase(), a);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('has defaults that are valid values of their own spec', () => {
      const problems: string[] = [];
      for (const [el, a, spec] of attrEntries(dialect)) {
        if (spec.default === undefined) continue;
        const why = invalidValue(spec, spec.default);
        if (why) problems.push(`<${el}> ${a} default ${JSON.stringify(spec.default)} ${why}`);
      }
      assert.deepEqual(problems, []);
    });

    it('has coherent value specs (ranges, values, aliases, patterns)', () => {
      const problems: string[] = [];
      for (const [label, spec] of valueSpecs(dialect)) {
        if ((spec.type === 'int' || spec.type === 'number') && spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
          problems.push(`${label}: min ${spec.min} > max ${spec.max}`);
        }
        if (spec.type === 'enum' || spec.type === 'list') {
          if (spec.values.length === 0) problems.push(`${label}: no values`);
          if (new Set(spec.values).size !== spec.values.length) problems.push(`${label}: duplicate values`);
        }
        if (spec.type === 'enum') {
          for (const [alias, target] of Object.entries(spec.aliases ?? {})) {
            if (!spec.values.includes(target)) problems.push(`${label}: alias ${alias} → ${target}, not a value`);
            if (spec.values.includes(alias)) problems.push(`${label}: alias ${alias} is already a value`);
          }
        }
        if (spec.type === 'string' && spec.pattern && (spec.pattern.global || spec.pattern.sticky)) {
          problems.push(`${label}: pattern ${spec.pattern} is stateful (g or y flag)`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('puts Twilio detail codes (13xxx, 14xxx) where a detail is given', () => {
      const codes: [string, number | undefined][] = [
        ['messagingVerbDetail', dialect.messagingVerbDetail],
        ...attrEntries(dialect).map(([el, a, s]): [string, number | undefined] => [`<${el}> ${a}`, s.detail]),
        ...entries(dialect).map(([el, s]): [string, number | undefined] => [`<${el}> nestingDetail`, s.nestingDetail]),
      ];
      const bad = codes.filter(([, c]) => c !== undefined && !(Number.isInteger(c) && c >= 13000 && c <= 14999));
      assert.deepEqual(bad, []);
    });

    it('makes text required only in ways the parser can excuse', () => {
      const problems: string[] = [];
      for (const [name, spec] of entries(dialect)) {
        const text = spec.text;
        if (spec.mixed && (!text || (spec.children ?? []).length === 0)) problems.push(`<${name}> is mixed without text and children`);
        if (!text) continue;
        if (text.required && text.requiredUnless !== undefined) {
          problems.push(`<${name}> text is both required and requiredUnless (required wins, the excuse is dead)`);
        }
        if (text.requiredUnless === 'children') {
          if ((spec.children ?? []).length === 0) problems.push(`<${name}> text requiredUnless children, but it has none`);
        } else if (text.requiredUnless !== undefined) {
          const attr = spec.attrs[text.requiredUnless];
          if (!attr) problems.push(`<${name}> text requiredUnless unknown attribute ${text.requiredUnless}`);
          else if (attr.default !== undefined) problems.push(`<${name}> text requiredUnless ${text.requiredUnless}, which has a default`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('limits children with positive whole numbers', () => {
      const bad = entries(dialect).filter(([, s]) => s.maxChildren !== undefined && !(Number.isInteger(s.maxChildren) && s.maxChildren > 0));
      assert.deepEqual(bad.map(([n]) => n), []);
    });

    it('names only known platforms, once each, and attributes only where their element exists', () => {
      const known = new Set<string>(PLATFORMS);
      const problems: string[] = [];
      const check = (label: string, list: readonly string[] | undefined, within?: readonly string[]) => {
        if (list === undefined) return;
        if (list.length === 0) problems.push(`${label}: empty platforms (absent means all)`);
        if (new Set(list).size !== list.length) problems.push(`${label}: duplicate platforms`);
        for (const p of list) {
          if (!known.has(p)) problems.push(`${label}: unknown platform ${p}`);
          else if (within && !within.includes(p)) problems.push(`${label}: ${p}, where the element does not exist`);
        }
        if (list.length === PLATFORMS.length) problems.push(`${label}: lists every platform (leave platforms off)`);
      };
      for (const [name, spec] of entries(dialect)) {
        check(`<${name}>`, spec.platforms);
        for (const p of Object.keys(spec.advice ?? {})) if (!known.has(p)) problems.push(`<${name}> advice: unknown platform ${p}`);
        for (const [a, attr] of Object.entries(spec.attrs)) {
          check(`<${name}> ${a}`, attr.platforms, spec.platforms);
          for (const p of Object.keys(attr.advice ?? {})) if (!known.has(p)) problems.push(`<${name}> ${a} advice: unknown platform ${p}`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('points every alias at an existing name', () => {
      const problems: string[] = [];
      for (const [alias, target] of Object.entries(dialect.aliases ?? {})) {
        if (!keys.has(target)) problems.push(`<${alias}> → unknown <${target}>`);
        if (keys.has(alias)) problems.push(`<${alias}> is both an alias and an element`);
      }
      for (const [name, spec] of entries(dialect)) {
        for (const [alias, target] of Object.entries(spec.attrAliases ?? {})) {
          if (!(target in spec.attrs)) problems.push(`<${name}> ${alias} → unknown attribute ${target}`);
          if (alias in spec.attrs) problems.push(`<${name}> ${alias} is both an alias and an attribute`);
        }
      }
      assert.deepEqual(problems, []);
    });
  });
}

describe('twiml table: family rules', () => {
  const el = twiml.elements;

  it('has voice verbs and the two messaging verbs under <Response>', () => {
    assert.equal(el.Message.kind, 'messaging');
    assert.equal(el.Redirect.kind, 'both');
    const kinds = new Set(el.Response.children.map((c) => el[c].kind));
    assert.deepEqual([...kinds].sort(), ['both', 'messaging', 'voice']);
    assert.equal(twiml.messagingVerbDetail, 14110);
  });

  it('keeps Commio to the Twilio core subset', () => {
    const commio = Object.entries(el)
      .filter(([, s]) => !('platforms' in s) || (s.platforms as readonly string[]).includes('commio'))
      .map(([n]) => n)
      .sort();
    assert.deepEqual(commio, ['Body', 'Dial', 'Gather', 'Hangup', 'Media', 'Message', 'Number', 'Pause', 'Play', 'Record', 'Redirect', 'Reject', 'Response', 'Say']);
  });

  it('reads legacy Dial record values', () => {
    assert.deepEqual(el.Dial.attrs.record.aliases, { true: 'record-from-answer', false: 'do-not-record' });
  });
});

describe('apifonica table', () => {
  it('carries no TwiML platform marks (Apifonica is its own platform)', () => {
    const marked = Object.entries(apifonica.elements).filter(
      ([, s]) => 'platforms' in s || Object.values(s.attrs as Record<string, AttrSpec>).some((a) => a.platforms !== undefined),
    );
    assert.deepEqual(marked.map(([n]) => n), []);
  });
});

/** The seed fixtures (see test/fixtures/xml/seeds/MANIFEST.md) against the tables. */
describe('seed fixtures read with the tables', () => {
  const fixtures = new URL('../../fixtures/xml/', import.meta.url);
  const read = (path: string) => parseDocument(readFileSync(new URL(path, fixtures)));
  /** Fixtures that are valid but warn, with how many warnings (MANIFEST.md says why). */
  const warnings: Readonly<Record<string, number>> = {
    'seeds/002-record.xml': 1,
    'apifonica/legacy-names.xml': 3,
    'apifonica/unquoted-signal.xml': 1,
  };

  for (const folder of ['seeds', 'apifonica'] as const) {
    const files = readdirSync(new URL(`${folder}/`, fixtures)).filter((f) => f.endsWith('.xml')).sort();
    for (const file of files) {
      const path = `${folder}/${file}`;
      it(`${path} is valid ${folder === 'seeds' ? 'TwiML' : 'Apifonica XML'}`, () => {
        const outcome = read(path);
        assert.deepEqual(outcome.errors, []);
        assert.equal(outcome.dialect, folder === 'seeds' ? 'twiml' : 'apifonica');
        assert.equal(outcome.warnings.length, warnings[path] ?? 0, JSON.stringify(outcome.warnings));
      });
    }
  }

  it('lists every seed fixture in the manifest', () => {
    const manifest = readFileSync(new URL('seeds/MANIFEST.md', fixtures), 'utf8');
    const files = [
      ...readdirSync(new URL('seeds/', fixtures)),
      ...readdirSync(new URL('apifonica/', fixtures)),
      ...readdirSync(new URL('invalid/', fixtures)).filter((f) => f.startsWith('seed-')),
    ].filter((f) => f.endsWith('.xml'));
    assert.deepEqual(files.filter((f) => !manifest.includes(`${f}\``)), []);
  });

  it('invalid/seed-002-duplicate-close.xml fails to parse (12100) at the stray </Sip>', () => {
    const outcome = read('invalid/seed-002-duplicate-close.xml');
    const first = outcome.errors[0];
    assert.equal(first?.code, 12100);
    assert.equal(first?.line, 5);
  });
});
