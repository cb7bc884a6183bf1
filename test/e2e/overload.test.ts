/**
 * Load shedding end to end: `dialtone start` with DIALTONE_MAX_CALLS=2. sipp places two
 * calls to a number whose document answers and holds them (`<Pause length="5"/>`); while both are up,
 * a third INVITE is refused at once with 503 and a Retry-After (sipp checks both, and that
 * it was never answered), a REST call through the official `twilio` client gets Twilio's
 * 429 / 20429, and the log says so once for the burst. The first two calls complete; once
 * they are over, a new call is taken again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { Dialtone } from '../support/dialtone.js';
import { eventually } from '../support/wait.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp } from '../support/sipp.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

const ACCOUNT_SID = `AC${'0d'.repeat(16)}`;
const AUTH_TOKEN = 'e'.repeat(32);
const HELD = '+15550401';
const SHORT = '+15550402';

describe('overload: refuse at once what cannot be carried (sipp, twilio client)', { skip: sippSkip, timeout: 120_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone | undefined;
  let client: twilio.Twilio;

  before(async () => {
    app = await startWebApp();
    // Answered (a Pause first would only delay the answer, then decline), then held five seconds.
    app.documents.set('/held', '<Response><Say>Hold on.</Say><Pause length="5"/></Response>');
    app.documents.set('/short', '<Response><Hangup/></Response>');
    dialtone = await Dialtone.prepare({
      name: 'overload',
      rtpBase: 4000,
      env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN, DIALTONE_MAX_CALLS: '2' },
    });
    await dialtone.addNumber(HELD, `${app.base}/held`);
    await dialtone.addNumber(SHORT, `${app.base}/short`);
    const [, apiBase] = await dialtone.start(/Dialtone is running at (\S+)/);
    client = twilio(ACCOUNT_SID, AUTH_TOKEN);
    client.api.baseUrl = apiBase!;
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  const output = (): string => `--- dialtone start ---\n${dialtone?.output() ?? ''}`;

  it('with two calls held, a third INVITE gets 503 + Retry-After and a REST call 429/20429; the two complete; then calls are taken again', async () => {
    const remote = `127.0.0.1:${dialtone!.sipPort}`;
    const held = startSipp({
      scenario: { file: sippScenario('uac-wait-bye.xml') },
      remote,
      port: await freeUdpPort(),
      calls: 2,
      // Both at once: a limit of 2 open calls, 10 new calls a second.
      args: ['-s', HELD, '-l', '2', '-r', '10'],
      timeoutSec: 40,
    });
    try {
      await eventually(() => app.hits.filter((h) => h.path === '/held').length === 2, () => `both held calls to reach the application\n${output()}`, 20_000);

      const refused = await startSipp({ scenario: { file: sippScenario('uac-expect-503.xml') }, remote, port: await freeUdpPort(), args: ['-s', HELD] }).done;
      assert.equal(refused.code, 0, `the third call is refused with 503 and a Retry-After\n${refused.report}\n${output()}`);
      assert.match(refused.messages, /SIP\/2\.0 503 Service Unavailable[\s\S]*Retry-After: \d+/);
      assert.doesNotMatch(refused.messages, /SIP\/2\.0 200/, 'never answered');

      await assert.rejects(
        client.calls.create({ to: SHORT, from: HELD, url: `${app.base}/short` }),
        (err: { status?: number; code?: number; message?: string }) => {
          assert.equal(err.status, 429);
          assert.equal(err.code, 20429);
          assert.match(err.message ?? '', /DIALTONE_MAX_CALLS=2/);
          return true;
        },
      );
      assert.equal(app.hits.filter((h) => h.path === '/held').length, 2, 'the refused calls never reached the application');

      const run = await held.done;
      assert.equal(run.code, 0, `the two held calls complete (our BYE after the Pause)\n${run.report}\n${output()}`);
    } finally {
      held.kill();
    }

    const calls = await dialtone!.listCalls<{ sid: string; status: string; to: string }>(10);
    assert.deepEqual(calls.map((c) => c.status), ['completed', 'completed'], 'no record for the refused calls');

    const warnings = output().split('\n').filter((line) => line.includes('refusing new calls'));
    assert.equal(warnings.length, 1, `one log line for the burst (an INVITE and a REST call refused)\n${output()}`);
    assert.match(warnings[0]!, /max-calls/);

    // Both slots are back: a new call is taken (and hung up by its document).
    const again = await startSipp({ scenario: { file: sippScenario('uac-wait-bye.xml') }, remote, port: await freeUdpPort(), args: ['-s', SHORT] }).done;
    assert.equal(again.code, 0, `a call after the burst is answered\n${again.report}\n${output()}`);
  });
});
