/**
 * Outbound SIP trunks, end to end: `dialtone call` calls a number of `dialtone start`
 * whose document dials `<Number>+4915550123</Number>`; the account's trunks (added with
 * `dialtone trunks add`) decide where that goes, and sipp on loopback is the carrier.
 *
 * - The trunk that takes `+49` challenges with digest (401): the INVITE comes again with
 *   its credentials; sipp sees the rewritten Request-URI user (strip `+`, add `00`) and
 *   the trunk's fixed caller ID in From; the action gets DialCallStatus=completed. A
 *   longer-prefix trunk that is disabled and a lower-priority one for the same prefix
 *   (nothing listens there) are passed over.
 * - A trunk without a caller-ID rule passes the caller's number through, over TCP.
 * - A number no trunk takes: DialCallStatus=failed and the no-route note in the timeline.
 * - A call the REST API places (POST Calls) through a trunk with a fixed caller ID goes out
 *   with that caller ID, not the request's From, as `<Dial>` does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';
import { countReceived, freeTcpPort, freeUdpPort, sippScenario, sippSkip, startSipp, waitForTcpListen, waitForUdpBind } from '../support/sipp.js';

interface CallRow {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  readonly status: string;
}

/** The start lines and From headers of the INVITEs sipp received. */
function receivedInvites(messages: string): { requestLine: string; from: string }[] {
  const invites: { requestLine: string; from: string }[] = [];
  const blocks = messages.split(/^.*message received.*$/im).slice(1);
  for (const block of blocks) {
    const lines = block.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    if (!lines[0]?.startsWith('INVITE ')) continue;
    invites.push({ requestLine: lines[0], from: lines.find((l) => /^(From|f):/i.test(l)) ?? '' });
  }
  return invites;
}

describe('<Dial><Number> through SIP trunks (dialtone call → dialtone start → sipp as the carrier)', { skip: sippSkip, timeout: 300_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;

  const NUMBERS = { trunk: '+15550151', tcp: '+15550152', noRoute: '+15550153' } as const;
  const ACCOUNT_SID = `AC${'7b'.repeat(16)}`;
  const AUTH_TOKEN = 'e'.repeat(32);
  let apiBase = '';

  before(async () => {
    app = await startWebApp();
    dialtone = await Dialtone.prepare({ name: 'trunks-e2e', rtpBase: 38000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN } });
    for (const [name, number] of Object.entries(NUMBERS)) await dialtone.addNumber(number, `${app.base}/${name}`);
    apiBase = (await dialtone.start(/Dialtone is running at (\S+)/))[1]!;
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  it('the +49 trunk: digest challenge answered, number rewritten, fixed caller ID; completed', async () => {
    const port = await freeUdpPort();
    const nobody = await freeUdpPort();
    await dialtone.cli(['trunks', 'add', 'de', '--host', '127.0.0.1', '--port', String(port), '--username', 'bob', '--password', 'secret',
      '--prefix', '+49', '--priority', '5', '--caller-id', '+15550142', '--strip-prefix', '+', '--add-prefix', '00']);
    await dialtone.cli(['trunks', 'add', 'de-backup', '--host', '127.0.0.1', '--port', String(nobody), '--prefix', '+49', '--priority', '20']);
    await dialtone.cli(['trunks', 'add', 'de-mobile', '--host', '127.0.0.1', '--port', String(nobody), '--prefix', '+4915', '--disabled']);
    const sipp = startSipp({ scenario: { file: sippScenario('uas-digest-answer-then-bye.xml') }, port, timeoutSec: 30 });
    try {
      await waitForUdpBind(port);
      app.documents.set('/trunk', '<Response><Dial action="/trunk-action"><Number>+4915550123</Number></Dial></Response>');
      const run = await dialtone.call(NUMBERS.trunk);
      const sippRun = await sipp.done;
      const context = (): string => `${run.stdout}\n${run.stderr}\n${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
      assert.equal(run.code, 0, context());
      assert.equal(sippRun.code, 0, context());

      const invites = receivedInvites(sippRun.messages);
      assert.equal(invites.length, 2, `the INVITE, then again with credentials\n${context()}`);
      for (const invite of invites) {
        assert.equal(invite.requestLine, `INVITE sip:004915550123@127.0.0.1:${port};transport=udp SIP/2.0`, context());
        assert.match(invite.from, /^From:\s*<?sip:\+15550142@/, context());
      }
      assert.match(sippRun.messages, /Authorization: Digest username="bob", realm="dialtone.test"/, context());

      const action = await app.hit('/trunk-action', { context, timeoutMs: 10_000 });
      assert.equal(action.params.DialCallStatus, 'completed', `${JSON.stringify(action.params)}\n${context()}`);
      const child = (await dialtone.listCalls<CallRow>(100)).find((c) => c.sid === action.params.DialCallSid);
      assert.deepEqual(child && { from: child.from, to: child.to, status: child.status }, { from: '+15550142', to: '+4915550123', status: 'completed' });
      const invite = (await dialtone.showCall(action.params.DialCallSid!)).timeline.find((e) => e.type === 'sip' && e.data.event === 'invite');
      assert.deepEqual(invite && [invite.data.via, invite.data.trunk], ['trunk', 'de']);
    } finally {
      sipp.kill();
      await dialtone.cli(['trunks', 'remove', 'de']);
      await dialtone.cli(['trunks', 'remove', 'de-backup']);
      await dialtone.cli(['trunks', 'remove', 'de-mobile']);
    }
  });

  it('a trunk without a caller-ID rule passes the caller’s number through, over TCP', async () => {
    const port = await freeTcpPort();
    await dialtone.cli(['trunks', 'add', 'tcp', '--host', '127.0.0.1', '--port', String(port), '--transport', 'tcp', '--prefix', '*']);
    const sipp = startSipp({ scenario: { file: sippScenario('uas-answer-then-bye.xml') }, port, timeoutSec: 30, args: ['-t', 't1'] });
    try {
      await waitForTcpListen(port);
      app.documents.set('/tcp', '<Response><Dial action="/tcp-action"><Number>+4915550123</Number></Dial></Response>');
      const run = await dialtone.call(NUMBERS.tcp);
      const sippRun = await sipp.done;
      const context = (): string => `${run.stdout}\n${run.stderr}\n${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
      assert.equal(run.code, 0, context());
      assert.equal(sippRun.code, 0, context());
      assert.equal(countReceived(sippRun.messages, 'INVITE '), 1, context());
      const [invite] = receivedInvites(sippRun.messages);
      assert.equal(invite?.requestLine, `INVITE sip:+4915550123@127.0.0.1:${port};transport=tcp SIP/2.0`, context());
      assert.match(invite?.from ?? '', /^From:\s*<?sip:\+15550199@/, context());
      const action = await app.hit('/tcp-action', { context, timeoutMs: 10_000 });
      assert.equal(action.params.DialCallStatus, 'completed', `${JSON.stringify(action.params)}\n${context()}`);
    } finally {
      sipp.kill();
      await dialtone.cli(['trunks', 'remove', 'tcp']);
    }
  });

  it('a number no trunk takes: DialCallStatus=failed and the timeline says there is no route', async () => {
    await dialtone.cli(['trunks', 'add', 'uk', '--host', '127.0.0.1', '--port', String(await freeUdpPort()), '--prefix', '+44']);
    try {
      app.documents.set('/noRoute', '<Response><Dial action="/no-route-action"><Number>+4915550123</Number></Dial></Response>');
      const run = await dialtone.call(NUMBERS.noRoute);
      const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
      assert.equal(run.code, 0, context());
      const action = await app.hit('/no-route-action', { context, timeoutMs: 10_000 });
      assert.equal(action.params.DialCallStatus, 'failed', JSON.stringify(action.params));
      assert.equal(action.params.DialCallSid, undefined);
      const note = (await dialtone.showCall(action.params.CallSid!)).timeline.find((e) => e.type === 'dial' && e.data.status === 'failed');
      assert.match(String(note?.data.reason), /no route to \+4915550123: .*no trunk takes it/);
      assert.equal(note?.data.code, 13224);
    } finally {
      await dialtone.cli(['trunks', 'remove', 'uk']);
    }
  });

  it('a REST API call through a trunk with a fixed caller ID goes out with the trunk’s caller ID', async () => {
    const port = await freeUdpPort();
    await dialtone.cli(['trunks', 'add', 'api', '--host', '127.0.0.1', '--port', String(port), '--prefix', '+49', '--caller-id', '+15550143']);
    const sipp = startSipp({ scenario: { file: sippScenario('uas-answer-then-bye.xml') }, port, timeoutSec: 30 });
    try {
      await waitForUdpBind(port);
      const res = await fetch(`${apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
        body: new URLSearchParams({ To: '+4915550123', From: NUMBERS.trunk, Twiml: '<Response><Pause length="10"/></Response>' }),
      });
      const created = (await res.json()) as { sid?: string };
      assert.equal(res.status, 201, JSON.stringify(created));
      const sippRun = await sipp.done;
      const context = (): string => `${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
      assert.equal(sippRun.code, 0, context());
      const invites = receivedInvites(sippRun.messages);
      assert.equal(invites.length, 1, context());
      assert.match(invites[0]!.from, /^From:\s*<?sip:\+15550143@/, context());
      const invite = (await dialtone.showCall(created.sid!)).timeline.find((e) => e.type === 'sip' && e.data.event === 'invite');
      assert.deepEqual(invite && [invite.data.via, invite.data.trunk], ['trunk', 'api']);
    } finally {
      sipp.kill();
      await dialtone.cli(['trunks', 'remove', 'api']);
    }
  });
});
