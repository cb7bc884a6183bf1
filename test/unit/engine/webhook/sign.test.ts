import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { signatureBase, twilioSignature, urlWithBodyHash, validateTwilioSignature } from '../../../../src/engine/webhook/sign.js';

// Vectors from twilio-node's validation spec, recomputed in shared/reference/dialects.md §8.1.
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

describe('X-Twilio-Signature', () => {
  it('builds the signed string from the URL and the sorted parameters', () => {
    assert.equal(
      signatureBase(URL_, PARAMS),
      `${URL_}CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212`,
    );
  });

  it('reproduces the published form POST vectors', () => {
    assert.equal(twilioSignature(TOKEN, URL_, PARAMS), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    assert.equal(twilioSignature(TOKEN, URL_, { ...PARAMS, Caller: '+14158675310', From: '+14158675310' }), 'GvWf1cFY/Q7PnoempGyD5oXAezc=');
  });

  it('reproduces the published JSON body vectors', () => {
    const body = '{"property": "value", "boolean": true}';
    const url = urlWithBodyHash(URL_, body);
    assert.match(url, /bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620$/);
    assert.equal(twilioSignature(TOKEN, url), 'a9nBmqA0ju/hNViExpshrM61xv4=');
    assert.equal(twilioSignature(TOKEN, urlWithBodyHash('https://mycompany.com/myapp.php', body)), 'y77kIzt2vzLz71DgmJGsen2scGs=');
    assert.ok(validateTwilioSignature(TOKEN, 'a9nBmqA0ju/hNViExpshrM61xv4=', url, { rawBody: body }));
    assert.ok(!validateTwilioSignature(TOKEN, 'a9nBmqA0ju/hNViExpshrM61xv4=', url, { rawBody: `${body} ` }), 'a changed body fails');
  });

  it('accepts a signature made with the default port written out', () => {
    const body = '{}';
    const withPort = urlWithBodyHash('https://mycompany.com:443/myapp.php?foo=1&bar=2', body);
    assert.equal(twilioSignature(TOKEN, withPort), 'Ldidvp12m26NI7eqEvxnEpkd9Hc=');
    const withoutPort = withPort.replace(':443', '');
    assert.equal(twilioSignature(TOKEN, withoutPort), 'rw/jVviOgicj2+kHZULvebnA4ag=');
    assert.ok(validateTwilioSignature(TOKEN, 'Ldidvp12m26NI7eqEvxnEpkd9Hc=', withoutPort, { rawBody: body }));
  });

  it('signs repeated parameters with each distinct value in order', () => {
    assert.equal(
      signatureBase('https://a.example/x', { StatusCallbackEvent: ['ringing', 'answered', 'ringing'], A: '1' }),
      'https://a.example/xA1StatusCallbackEventansweredStatusCallbackEventringing',
    );
  });

  it('validates what it signs and refuses any change (property)', () => {
    const params = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 6 });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), params, fc.string({ minLength: 1, maxLength: 4 }), (token, p, extra) => {
        const url = 'https://app.example.com/voice?x=1';
        const sig = twilioSignature(token, url, p);
        assert.ok(validateTwilioSignature(token, sig, url, p));
        assert.ok(!validateTwilioSignature(`${token}x`, sig, url, p));
        assert.ok(!validateTwilioSignature(token, sig, `${url}${extra}`, p));
      }),
      { numRuns: 200 },
    );
  });
});
