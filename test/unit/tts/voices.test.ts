import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLITE_VOICES } from '../../../src/tts/flite.js';
import { resolveVoice } from '../../../src/tts/voices.js';

function resolve(voice: string | undefined, language?: string) {
  return resolveVoice(voice, language, FLITE_VOICES);
}

describe('resolveVoice (Twilio names → Flite voices)', () => {
  it('maps the legacy voices', () => {
    assert.deepEqual(resolve('man'), { voice: 'rms', gender: 'male', note: undefined });
    assert.deepEqual(resolve('woman'), { voice: 'slt', gender: 'female', note: undefined });
    assert.equal(resolve('alice').voice, 'slt');
    assert.match(resolve('alice').note!, /alice/);
    assert.equal(resolve('MAN').voice, 'rms');
    assert.deepEqual(resolve(undefined), { voice: 'rms', gender: 'male', note: undefined }, "Twilio's default is man");
    assert.equal(resolve('').voice, 'rms');
  });

  it('uses provider voice ids as they are', () => {
    for (const v of FLITE_VOICES) assert.deepEqual(resolve(v.id), { voice: v.id, gender: v.gender, note: undefined });
  });

  it('maps Polly voices by gender, British males to awb, with a note', () => {
    const joanna = resolve('Polly.Joanna');
    assert.equal(joanna.voice, 'slt');
    assert.equal(joanna.gender, 'female');
    assert.match(joanna.note!, /Polly\.Joanna is not available/);
    assert.equal(resolve('Polly.Matthew-Neural').voice, 'rms');
    assert.equal(resolve('Polly.Joey-Generative').voice, 'rms');
    assert.equal(resolve('Polly.Brian').voice, 'awb');
    assert.equal(resolve('Polly.Amy').voice, 'slt');
    assert.equal(resolve('Polly.Matthew', 'en-GB').voice, 'awb');
    assert.equal(resolve('polly.justin').voice, 'rms');
    assert.match(resolve('Polly.Nobody').note!, /not a known Polly voice/);
  });

  it('maps Google voices by their letter or Chirp name', () => {
    assert.equal(resolve('Google.en-US-Standard-C').voice, 'slt');
    assert.equal(resolve('Google.en-US-Wavenet-D').voice, 'rms');
    assert.equal(resolve('Google.en-US-Neural2-J').gender, 'male');
    assert.equal(resolve('Google.en-US-Chirp3-HD-Aoede').voice, 'slt');
    assert.equal(resolve('Google.en-US-Chirp3-HD-Charon').voice, 'rms');
    assert.equal(resolve('Google.en-GB-Chirp3-HD-Puck').voice, 'awb');
    assert.match(resolve('Google.fr-FR-Standard-A').note!, /gender is not known/);
    assert.match(resolve('Google.fr-FR-Standard-A').note!, /fr-FR is spoken with an English voice/);
  });

  it('notes when the language is not English, and falls back for unknown names', () => {
    const french = resolve('woman', 'fr-FR');
    assert.equal(french.voice, 'slt');
    assert.match(french.note!, /language fr-FR is spoken with an English voice/);
    assert.equal(resolve('man', 'en-AU').voice, 'awb');
    assert.equal(resolve('man', 'en-US').note, undefined);
    const odd = resolve('robot9000');
    assert.equal(odd.voice, 'rms');
    assert.match(odd.note!, /unknown voice "robot9000"/);
  });
});
