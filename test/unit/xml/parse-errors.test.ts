import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseDocument } from '../../../src/xml/index.js';
import { INVALID_CASES } from '../../fixtures/xml/invalid/cases.js';

const dir = new URL('../../fixtures/xml/invalid/', import.meta.url);

describe('invalid documents: every error class with its code, line and column', () => {
  for (const c of INVALID_CASES) {
    it(`${c.file} → ${c.code}${c.detail ? `/${c.detail}` : ''}`, () => {
      const outcome = parseDocument(readFileSync(new URL(c.file, dir)));
      const first = outcome.errors[0];
      assert.ok(first, `expected an error, got none (warnings: ${JSON.stringify(outcome.warnings)})`);
      assert.equal(first.code, c.code, first.message);
      assert.equal(first.detail, c.detail, first.message);
      assert.equal(first.line, c.line, first.message);
      if (c.column !== undefined) assert.equal(first.column, c.column, first.message);
      assert.ok(first.message.includes(c.says), `"${first.message}" should say "${c.says}"`);
    });
  }

  it('covers every fixture in the folder', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    const listed = new Set(INVALID_CASES.map((c) => c.file));
    const unlisted = files.filter((f) => !listed.has(f) && !f.startsWith('seed-'));
    assert.deepEqual(unlisted, []);
  });
});

describe('schema rules', () => {
  it('an empty <Response/> is a valid voice document', () => {
    const outcome = parseDocument('<Response/>');
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.dialect, 'twiml');
    assert.equal(outcome.kind, 'voice');
    assert.deepEqual(outcome.root?.children, []);
  });

  it('an unknown attribute is a warning, and the document stays valid', () => {
    const outcome = parseDocument('<Response>\n  <Say colour="blue">Hi</Say>\n</Response>');
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.warnings.length, 1);
    assert.equal(outcome.warnings[0]?.code, 12200);
    assert.equal(outcome.warnings[0]?.line, 2);
    assert.equal(outcome.warnings[0]?.column, 8);
    assert.match(outcome.warnings[0]!.message, /colour/);
  });

  it('suggests the right case for a mistyped attribute', () => {
    const outcome = parseDocument('<Response><Gather numdigits="1"/></Response>');
    assert.match(outcome.warnings[0]!.message, /did you mean numDigits/);
  });

  it('applies defaults and reads typed values', () => {
    const outcome = parseDocument('<Response><Gather numDigits="4" input="dtmf speech" actionOnEmptyResult="TRUE"/></Response>');
    assert.deepEqual(outcome.errors, []);
    const gather = outcome.root!.children[0]!;
    assert.equal(gather.attrs.numDigits, 4);
    assert.deepEqual(gather.attrs.input, ['dtmf', 'speech']);
    assert.equal(gather.attrs.actionOnEmptyResult, true);
    assert.equal(gather.attrs.timeout, 5);
    assert.equal(gather.attrs.finishOnKey, '#');
    assert.equal(gather.attrs.method, 'POST');
    assert.equal(gather.attrs.action, undefined, 'Gather action defaults to the current document URL, decided at run time');
  });

  it('reads HTTP methods in any case and legacy Dial record values', () => {
    const outcome = parseDocument('<Response><Redirect method="get">/next</Redirect><Dial record="true">+15550100</Dial></Response>');
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.root!.children[0]!.attrs.method, 'GET');
    assert.equal(outcome.root!.children[1]!.attrs.record, 'record-from-answer');
  });

  it('an invalid attribute is left out of the tree, so the default applies at run time (SEM-D5)', () => {
    const outcome = parseDocument('<Response><Pause length="x"/><Say>after</Say></Response>');
    assert.equal(outcome.errors.length, 1);
    assert.equal(outcome.root!.children[0]!.attrs.length, 1);
    assert.equal(outcome.root!.children[1]!.text, 'after');
  });

  it('an invalid element is left out; the verbs around it stay', () => {
    const outcome = parseDocument('<Response><Say>one</Say><Speak>x</Speak><Say>two</Say></Response>');
    assert.deepEqual(
      outcome.root!.children.map((v) => v.text),
      ['one', 'two'],
    );
  });

  it('trims text and decodes entities and CDATA (SEM-D6)', () => {
    const outcome = parseDocument('<Response><Play>\n   https://a.example/x.mp3?a=1&amp;b=2\n  </Play><Say><![CDATA[1 < 2]]></Say></Response>');
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.root!.children[0]!.text, 'https://a.example/x.mp3?a=1&b=2');
    assert.equal(outcome.root!.children[1]!.text, '1 < 2');
  });

  it('keeps SSML in document order inside <Say>', () => {
    const outcome = parseDocument('<Response><Say voice="Polly.Amy">Hello <break time="1s"/> <emphasis level="strong">world</emphasis>!</Say></Response>');
    assert.deepEqual(outcome.errors, []);
    const say = outcome.root!.children[0]!;
    assert.equal(say.text, 'Hello world!');
    const content = say.content!;
    assert.equal(content[0], 'Hello ');
    assert.equal(typeof content[1] === 'object' && content[1].name, 'break');
    assert.equal(typeof content[1] === 'object' && content[1].attrs.time, '1s');
    assert.equal(typeof content[3] === 'object' && content[3].name, 'emphasis');
    assert.equal(content[4], '!');
  });

  it('tells messaging documents from voice documents', () => {
    const sms = parseDocument('<Response><Message to="+15550100">Hi<Media>https://x.example/a.png</Media></Message></Response>');
    assert.deepEqual(sms.errors, []);
    assert.equal(sms.kind, 'messaging');
    const redirectOnly = parseDocument('<Response><Redirect>/next</Redirect></Response>');
    assert.equal(redirectOnly.kind, 'voice');
    const asked = parseDocument('<Response><Redirect>/next</Redirect></Response>', { kind: 'messaging' });
    assert.equal(asked.kind, 'messaging');
    assert.deepEqual(asked.errors, []);
    const wrong = parseDocument('<Response><Message>Hi</Message></Response>', { kind: 'voice' });
    assert.equal(wrong.errors[0]?.code, 12200);
  });

  it('a forced dialect refuses the other root', () => {
    const outcome = parseDocument('<response><wait/></response>', { dialect: 'twiml' });
    assert.equal(outcome.errors[0]?.code, 12102);
    assert.match(outcome.errors[0]!.message, /<Response>/);
  });
});

describe('safety limits', () => {
  it('rejects a document over the size limit with 11750', () => {
    const big = `<Response>${'<Pause/>'.repeat(10_000)}</Response>`;
    const outcome = parseDocument(big);
    assert.equal(outcome.errors[0]?.code, 11750);
  });

  it('rejects nesting deeper than the limit', () => {
    const deep = `<Response><Say>${'<p>'.repeat(40)}x${'</p>'.repeat(40)}</Say></Response>`;
    const outcome = parseDocument(deep);
    assert.equal(outcome.errors[0]?.code, 12100);
    assert.match(outcome.errors[0]!.message, /deeper/);
  });

  it('rejects more elements than the limit', () => {
    const outcome = parseDocument(`<Response>${'<Pause/>'.repeat(50)}</Response>`, { limits: { maxElements: 20 } });
    assert.equal(outcome.errors[0]?.code, 12100);
  });

  it('rejects an entity bomb in milliseconds', () => {
    const levels = Array.from({ length: 10 }, (_, i) =>
      i === 0 ? '<!ENTITY l0 "lol">' : `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`,
    ).join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE r [\n${levels}\n]>\n<Response><Say>&l9;</Say></Response>`;
    const outcome = parseDocument(bomb);
    assert.equal(outcome.errors[0]?.code, 12100);
    assert.equal(outcome.root, null);
  });

  it('refuses bytes that are not UTF-8', () => {
    const outcome = parseDocument(Uint8Array.from([0x3c, 0x52, 0xff, 0xfe, 0x3e]));
    assert.equal(outcome.errors[0]?.code, 12100);
  });
});
