import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { dialects, parseDocument, type ParseOutcome } from '../../../src/xml/index.js';
import type { ElementSpec } from '../../../src/xml/spec.js';

const seeds = new URL('../../fixtures/xml/seeds/', import.meta.url);
const SEED_DOCS = readdirSync(seeds)
  .filter((f) => f.endsWith('.xml'))
  .map((f) => readFileSync(new URL(f, seeds), 'utf8'));

function wellFormedOutcome(outcome: ParseOutcome): void {
  for (const i of [...outcome.errors, ...outcome.warnings]) {
    assert.equal(typeof i.code, 'number');
    assert.ok(i.message.length > 0);
    assert.ok(Number.isInteger(i.line) && i.line >= 1, `line ${i.line}`);
    assert.ok(Number.isInteger(i.column) && i.column >= 1, `column ${i.column}`);
  }
  if (outcome.root === null) assert.ok(outcome.errors.length > 0, 'no document and no error');
}

describe('the parser never throws or hangs', () => {
  it('on arbitrary strings', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => wellFormedOutcome(parseDocument(s))),
      { numRuns: 1500 },
    );
  });

  it('on arbitrary bytes', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => wellFormedOutcome(parseDocument(b))),
      { numRuns: 1500 },
    );
  });

  it('on seed documents with random edits', { timeout: 120_000 }, () => {
    const edit = fc.record({
      doc: fc.constantFrom(...SEED_DOCS),
      at: fc.nat(),
      cut: fc.nat({ max: 12 }),
      insert: fc.string({ unit: fc.constantFrom('<', '>', '/', '"', "'", '=', '&', ';', '!', '?', ' ', 'a', 'Say', '\n', ']]>', '<![CDATA[', '&#0;', '&#x1F600;'), maxLength: 6 }),
    });
    fc.assert(
      fc.property(edit, ({ doc, at, cut, insert }) => {
        const i = at % (doc.length + 1);
        wellFormedOutcome(parseDocument(doc.slice(0, i) + insert + doc.slice(i + cut)));
      }),
      { numRuns: 3000 },
    );
  });

  it('on random trees of the dialect vocabulary with random attribute values', { timeout: 120_000 }, () => {
    const elements = dialects.twiml.elements as Readonly<Record<string, ElementSpec>>;
    const names = Object.keys(elements);
    const attrNames = [...new Set(Object.values(elements).flatMap((e) => Object.keys(e.attrs)))];
    const value = fc.oneof(fc.constantFrom('true', 'false', 'GET', 'post', '0', '-1', '5', '99999999999', 'auto', '', ' ', 'dtmf speech', '#'), fc.string({ maxLength: 8 }));
    // `>` too: text holding `]]>` is not well-formed XML.
    const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const node = (depth: number): fc.Arbitrary<string> =>
      fc
        .record({
          name: fc.constantFrom(...names),
          attrs: fc.array(fc.tuple(fc.constantFrom(...attrNames), value), { maxLength: 4 }),
          text: fc.option(fc.string({ maxLength: 10 })),
          kids: depth === 0 ? fc.constant([] as string[]) : fc.array(node(depth - 1), { maxLength: 3 }),
        })
        .map(({ name, attrs, text, kids }) => {
          const unique = [...new Map(attrs).entries()];
          return `<${name}${unique.map(([k, v]) => ` ${k}="${esc(v)}"`).join('')}>${text === null ? '' : esc(text)}${kids.join('')}</${name}>`;
        });
    const tree = node(3);
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 4 }), (verbs) => {
        const outcome = parseDocument(`<Response>${verbs.join('')}</Response>`);
        wellFormedOutcome(outcome);
        assert.notEqual(outcome.root, null, 'well-formed input always yields a tree');
      }),
      { numRuns: 800 },
    );
  });
});
