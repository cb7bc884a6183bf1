/**
 * `<Refer>` over a real call: sipp calls a number of a running `dialtone start` whose
 * document transfers the call with SIP REFER. sipp checks the REFER carries Refer-To and
 * Referred-By, answers 202, reports the transfer in NOTIFYs (`SIP/2.0 100 Trying`, then
 * `SIP/2.0 200 OK`) and expects our BYE. The application's action webhook gets the outcome.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Dialtone } from '../support/dialtone.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp } from '../support/sipp.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const TOKEN = 'e2e-token-0123456789abcdef';
const ACCOUNT = 'AC' + 'f'.repeat(32);
const NUMBER = '+15550161';
const TARGET = 'sip:alice@pbx.example.com?X-Case=42';

describe('<Refer> (sipp → dialtone start, transferred with REFER)', { skip: sippSkip, timeout: 90_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;

  before(async () => {
    app = await startWebApp({ missing: 404, authToken: TOKEN });
    app.documents.set('/refer', `<Response><Refer action="/refer-done"><Sip>${TARGET}</Sip></Refer><Say>Never heard</Say></Response>`);
    app.documents.set('/refer-done', '<Response><Say>Never heard either</Say></Response>');
    dialtone = await Dialtone.prepare({ name: 'refer', rtpBase: 12000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT, DIALTONE_AUTH_TOKEN: TOKEN } });
    await dialtone.addNumber(NUMBER, `${app.base}/refer`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  it('sends REFER to the <Sip> target, follows the NOTIFYs to 200, hangs up, and requests the action with the outcome', async () => {
    const sipp = await startSipp({
      scenario: { file: sippScenario('uac-refer.xml') },
      remote: `127.0.0.1:${dialtone.sipPort}`,
      port: await freeUdpPort(),
      args: ['-s', NUMBER],
      timeoutSec: 30,
    }).done;
    assert.equal(sipp.code, 0, `${sipp.report}\n--- dialtone ---\n${dialtone.output()}`);

    // What reached sipp: the REFER in the call's dialog, naming the target.
    const refer = sipp.messages.split(/\n(?=-{5,})/).find((m) => /^REFER /m.test(m));
    assert.ok(refer, `no REFER in sipp's log\n${sipp.report}`);
    assert.equal(/^Refer-To:\s*(.*?)\s*$/im.exec(refer)?.[1], `<${TARGET}>`);
    assert.match(/^Referred-By:\s*(.*?)\s*$/im.exec(refer)?.[1] ?? '', /^<sip:/);

    const action = await app.hit('/refer-done', { context: () => dialtone.output() });
    assert.ok(action.signatureValid, 'the action request is signed');
    assert.equal(action.params.ReferCallStatus, 'in-progress');
    assert.equal(action.params.ReferSipResponseCode, '202');
    assert.equal(action.params.NotifySipResponseCode, '200');
    assert.equal(action.params.ReferTransferTarget, TARGET);
    assert.equal(action.params.To, NUMBER);

    const call = await dialtone.lastCall();
    assert.equal(call.status, 'completed');
    const verbs = call.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
    assert.deepEqual(verbs, ['Refer'], 'neither the rest of the document nor the action answer ran');
    const notified = call.timeline.filter((e) => e.type === 'sip' && e.data.event === 'refer-notify').map((e) => e.data.status);
    assert.deepEqual(notified, [100, 200]);
  });
});
