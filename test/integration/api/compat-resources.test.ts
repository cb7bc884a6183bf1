import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertConformance, restError, startCompatServer, type CompatServer } from './compat-support.js';

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

describe('Twilio-compatible API: accounts, numbers, applications, keys (official twilio client)', () => {
  let s: CompatServer;
  before(async () => {
    s = await startCompatServer();
  });
  after(async () => s.close());

  it('fetches the account, with its token and Twilio-shaped dates', async () => {
    const account = await s.client().api.v2010.account.fetch();
    assert.equal(account.sid, s.account.sid);
    assert.equal(account.friendlyName, 'Test account');
    assert.equal(account.authToken, s.account.authToken);
    assert.equal(account.status, 'active');
    assert.ok(account.dateCreated instanceof Date && !Number.isNaN(account.dateCreated.getTime()));
    const raw = (await (await s.request('GET', `/2010-04-01/Accounts/${s.account.sid}.json`)).json()) as Record<string, unknown>;
    assert.match(String(raw.date_created), RFC2822);
    assert.equal(raw.uri, `/2010-04-01/Accounts/${s.account.sid}.json`);
    assert.equal((raw.subresource_uris as Record<string, string>).calls, `/2010-04-01/Accounts/${s.account.sid}/Calls.json`);
  });

  it('creates, lists, fetches, updates and deletes incoming numbers with every voice and SMS URL field', async () => {
    const client = s.client();
    const app = await client.applications.create({ friendlyName: 'IVR', voiceUrl: 'https://app.example/voice' });
    const created = await client.incomingPhoneNumbers.create({
      phoneNumber: '+15557000001',
      friendlyName: 'Main line',
      voiceUrl: 'https://app.example/voice',
      voiceMethod: 'GET',
      voiceFallbackUrl: 'https://app.example/fallback',
      voiceFallbackMethod: 'POST',
      statusCallback: 'https://app.example/status',
      statusCallbackMethod: 'GET',
      smsUrl: 'https://app.example/sms',
      smsMethod: 'POST',
      smsFallbackUrl: 'https://app.example/sms-fallback',
      smsFallbackMethod: 'GET',
    });
    assert.match(created.sid, /^PN[0-9a-f]{32}$/);
    assert.equal(created.phoneNumber, '+15557000001');
    assert.equal(created.voiceMethod, 'GET');
    assert.equal(created.voiceFallbackUrl, 'https://app.example/fallback');
    assert.equal(created.statusCallbackMethod, 'GET');
    assert.equal(created.smsFallbackMethod, 'GET');
    assert.equal(created.voiceApplicationSid, null);
    await client.incomingPhoneNumbers.create({ phoneNumber: '+15557000002' });

    const listed = await client.incomingPhoneNumbers.list();
    assert.deepEqual(listed.map((n) => n.phoneNumber).sort(), ['+15557000001', '+15557000002']);
    assert.deepEqual((await client.incomingPhoneNumbers.list({ phoneNumber: '7000002' })).map((n) => n.phoneNumber), ['+15557000002']);

    const updated = await client.incomingPhoneNumbers(created.sid).update({ smsUrl: 'https://app.example/sms2', voiceApplicationSid: app.sid, voiceUrl: '' });
    assert.equal(updated.smsUrl, 'https://app.example/sms2');
    assert.equal(updated.voiceApplicationSid, app.sid);
    assert.equal(updated.voiceUrl, null, 'an empty value clears the URL');
    assert.equal(updated.friendlyName, 'Main line', 'untouched fields stay');
    assert.equal((await client.incomingPhoneNumbers(created.sid).fetch()).smsUrl, 'https://app.example/sms2');

    assert.equal(await client.incomingPhoneNumbers(created.sid).remove(), true);
    const gone = await restError(client.incomingPhoneNumbers(created.sid).fetch());
    assert.equal(gone.status, 404);
    assert.equal(gone.code, 20404);
  });

  it('answers 21xxx on bad number input', async () => {
    const client = s.client();
    const bad = await restError(client.incomingPhoneNumbers.create({ phoneNumber: '555-CALL-NOW' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 21421);
    assert.equal(bad.moreInfo, 'https://www.twilio.com/docs/errors/21421');
    await client.incomingPhoneNumbers.create({ phoneNumber: '+15557000003' });
    assert.equal((await restError(client.incomingPhoneNumbers.create({ phoneNumber: '+15557000003' }))).code, 21422);
    assert.equal((await restError(client.incomingPhoneNumbers.create({ areaCode: '415' }))).code, 21452);
    assert.equal((await restError(client.incomingPhoneNumbers.create({ phoneNumber: '+15557000004', voiceUrl: 'not a url' }))).code, 21502);
  });

  it('creates, lists, fetches, updates and deletes applications', async () => {
    const client = s.client();
    const a = await client.applications.create({
      friendlyName: 'Support',
      voiceUrl: 'https://support.example/voice',
      voiceMethod: 'GET',
      smsUrl: 'https://support.example/sms',
      smsStatusCallback: 'https://support.example/sms-status',
      messageStatusCallback: 'https://support.example/message-status',
    });
    assert.match(a.sid, /^AP[0-9a-f]{32}$/);
    assert.equal(a.voiceMethod, 'GET');
    assert.equal(a.messageStatusCallback, 'https://support.example/message-status');
    assert.equal(a.smsStatusCallback, 'https://support.example/sms-status');
    assert.ok((await client.applications.list({ friendlyName: 'Support' })).some((x) => x.sid === a.sid));
    const u = await client.applications(a.sid).update({ friendlyName: 'Support 2', voiceFallbackUrl: 'https://support.example/fb' });
    assert.equal(u.friendlyName, 'Support 2');
    assert.equal(u.voiceFallbackUrl, 'https://support.example/fb');
    assert.equal(u.voiceUrl, 'https://support.example/voice');
    assert.equal((await client.applications(a.sid).fetch()).friendlyName, 'Support 2');
    assert.equal(await client.applications(a.sid).remove(), true);
    assert.equal((await restError(client.applications(a.sid).fetch())).code, 20404);
  });

  it('creates an API key whose secret authenticates in place of the auth token, until it is deleted', async () => {
    const client = s.client();
    const key = await client.newKeys.create({ friendlyName: 'deploy' });
    assert.match(key.sid, /^SK[0-9a-f]{32}$/);
    assert.match(key.secret, /^[A-Za-z0-9]{32}$/);
    const fetched = await client.keys(key.sid).fetch();
    assert.equal(fetched.friendlyName, 'deploy');
    assert.equal((fetched as unknown as { secret?: string }).secret, undefined, 'the secret is shown once');
    assert.equal((await client.keys(key.sid).update({ friendlyName: 'deploy-2' })).friendlyName, 'deploy-2');
    assert.ok((await client.keys.list()).some((k) => k.sid === key.sid));

    const viaKey = s.client(key.sid, key.secret, s.account.sid);
    const account = await viaKey.api.v2010.account.fetch();
    assert.equal(account.sid, s.account.sid);
    assert.equal(account.authToken, null, 'a key does not reveal the auth token');
    await viaKey.incomingPhoneNumbers.list();
    assert.equal((await restError(viaKey.keys.list())).code, 20003, 'a key cannot manage keys');
    assert.equal((await restError(s.client(key.sid, 'wrong-secret-wrong-secret-wrong!', s.account.sid).calls.list())).status, 401);

    assert.equal(await client.keys(key.sid).remove(), true);
    const after = await restError(viaKey.calls.list());
    assert.equal(after.status, 401);
    assert.equal(after.code, 20003);
  });

  it('answers 20003 with WWW-Authenticate on bad or missing credentials', async () => {
    const res = await s.request('GET', `/2010-04-01/Accounts/${s.account.sid}/Calls.json`, { auth: [s.account.sid, 'not-the-token'] });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
    assert.deepEqual(await res.json(), { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const none = await fetch(`${s.base}/2010-04-01/Accounts/${s.account.sid}/Calls.json`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
    const e = await restError(s.client(s.account.sid, 'bad').api.v2010.account.fetch());
    assert.equal(e.status, 401);
    assert.equal(e.code, 20003);
  });

  it('refuses an auth token the moment it is replaced, though it was verified a moment before', async () => {
    const rotated = await s.store.accounts.create({ friendlyName: 'Rotating' });
    assert.equal((await s.client(rotated.sid, rotated.authToken).api.v2010.account.fetch()).sid, rotated.sid);
    await s.store.accounts.setAuthToken(rotated.sid, 'a-new-token-a-new-token-a-new-tok');
    assert.equal((await restError(s.client(rotated.sid, rotated.authToken).api.v2010.account.fetch())).code, 20003);
    assert.equal((await s.client(rotated.sid, 'a-new-token-a-new-token-a-new-tok').api.v2010.account.fetch()).sid, rotated.sid);
  });

  it("answers 20404 for another account's path and resources", async () => {
    const mine = s.client();
    const theirs = s.client(s.other.sid, s.other.authToken);
    const n = await theirs.incomingPhoneNumbers.create({ phoneNumber: '+15557000099' });
    assert.equal((await restError(mine.incomingPhoneNumbers(n.sid).fetch())).code, 20404);
    assert.equal((await restError(mine.incomingPhoneNumbers(n.sid).remove())).code, 20404);
    assert.ok(!(await mine.incomingPhoneNumbers.list()).some((x) => x.sid === n.sid));
    const res = await s.request('GET', `/2010-04-01/Accounts/${s.other.sid}/IncomingPhoneNumbers.json`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: number }).code, 20404);
    assert.equal((await theirs.incomingPhoneNumbers(n.sid).fetch()).sid, n.sid, 'its owner still sees it');
  });

  it('takes JSON bodies as well as form bodies', async () => {
    const res = await s.request('POST', `/2010-04-01/Accounts/${s.account.sid}/IncomingPhoneNumbers.json`, {
      json: { PhoneNumber: '+15557000100', VoiceUrl: 'https://json.example/voice', VoiceMethod: 'GET' },
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.voice_url, 'https://json.example/voice');
    assert.equal(body.voice_method, 'GET');
    const broken = await s.request('POST', `/2010-04-01/Accounts/${s.account.sid}/Applications.json`, { body: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { code: number }).code, 20001);
  });
  it('kept to /openapi.json in every request and answer above', async () => {
    await assertConformance(s);
  });
});
