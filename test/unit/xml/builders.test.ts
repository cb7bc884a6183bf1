import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApifonicaResponse, MessagingResponse, VoiceResponse, parseDocument } from '../../../src/xml/index.js';

describe('builders', () => {
  it('emits the exact voice document', () => {
    const r = new VoiceResponse();
    r.say('Hello & welcome', { voice: 'alice', loop: 2 });
    r.gather({ numDigits: 1, action: '/menu', input: ['dtmf', 'speech'] }).say('Press 1');
    r.dial({ callerId: '+15550100', record: 'record-from-answer' }).number('+15550199', { sendDigits: 'ww1' });
    r.hangup();
    assert.equal(
      r.toString(),
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Say voice="alice" loop="2">Hello &amp; welcome</Say>' +
        '<Gather numDigits="1" action="/menu" input="dtmf speech"><Say>Press 1</Say></Gather>' +
        '<Dial callerId="+15550100" record="record-from-answer"><Number sendDigits="ww1">+15550199</Number></Dial>' +
        '<Hangup/></Response>',
    );
  });

  it('emits documents the validator accepts with no warnings', () => {
    const r = new VoiceResponse();
    r.say('Hi', { language: 'en-GB' }).break({ time: '500ms' });
    r.play('https://example.com/a.mp3', { loop: 0 });
    r.pause({ length: 2 });
    r.record({ maxLength: 30, playBeep: false, trim: 'do-not-trim' });
    r.redirect('/next', { method: 'GET' });
    const outcome = parseDocument(r.toString());
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.warnings, []);
    assert.equal(outcome.root?.children.length, 5);
  });

  it('mixes SSML and text in order', () => {
    const r = new VoiceResponse();
    const say = r.say('Hello');
    say.break({ time: '1s' });
    say.text('world');
    assert.match(r.toString(), /<Say>Hello<break time="1s"\/>world<\/Say>/);
    const outcome = parseDocument(r.toString());
    assert.deepEqual(outcome.errors, []);
  });

  it('builds messaging documents', () => {
    const m = new MessagingResponse();
    m.message('Thanks "friend" <3', { to: '+15550100' }).media('https://example.com/cat.png');
    const outcome = parseDocument(m.toString());
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.kind, 'messaging');
    assert.equal(outcome.root?.children[0]?.attrs.to, '+15550100');
  });

  it('builds Apifonica documents', () => {
    const a = new ApifonicaResponse();
    a.getInput({ maxSymbols: 4, controller: 'https://app.example.com/pin' }).playAudio('https://example.com/pin.mp3');
    a.endCall({ signal: 'busy' });
    const outcome = parseDocument(a.toString());
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.dialect, 'apifonica');
  });

  it('offers only the children the table allows', () => {
    const r = new VoiceResponse();
    const gather = r.gather();
    // @ts-expect-error <Dial> cannot nest in <Gather>
    assert.equal(typeof gather.dial, 'undefined');
    // @ts-expect-error a voice response has no <Message>
    assert.equal(typeof r.message, 'undefined');
    // @ts-expect-error a messaging response has no <Say>
    assert.equal(typeof new MessagingResponse().say, 'undefined');
  });

  it('round-trips arbitrary text and attribute values through the parser', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (text, voice) => {
        const r = new VoiceResponse();
        r.say(text === '' || text.trim() === '' ? 'x' : text, { voice: voice === '' ? 'alice' : voice });
        const outcome = parseDocument(r.toString());
        // Control characters are not XML; everything else must come back.
        if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text + voice)) return;
        assert.deepEqual(outcome.errors, []);
        const say = outcome.root!.children[0]!;
        assert.equal(say.attrs.voice, voice === '' ? 'alice' : voice);
        assert.equal(say.text, text.trim() === '' ? 'x' : text.replace(/[ \t\r\n]+/g, ' ').trim());
      }),
      { numRuns: 300 },
    );
  });
});
