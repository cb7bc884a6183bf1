/**
 * Media from a real caller: sipp calls a running `dialtone start` and plays RTP from pcap
 * files into the call (`play_pcap_audio`) while the number's document gathers digits.
 * What the application's action webhook receives is what the caller pressed:
 *
 * - RFC 2833 events from the pcaps sipp ships (/usr/share/sip-tester/dtmf_2833_*.pcap,
 *   payload type 101, offered as telephone-event/8000 on 101);
 * - the same keys as sound (test/fixtures/sipp/inband-dtmf-159-pound-pcmu.pcap, made
 *   with sox by make-inband-dtmf-pcap.ts), offered without telephone-event: the digits
 *   can only come from decoding the PCMU audio and hearing the tones in it.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Dialtone } from '../support/dialtone.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp } from '../support/sipp.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const DTMF_PCAPS = '/usr/share/sip-tester';
const skip = sippSkip || (existsSync(join(DTMF_PCAPS, 'dtmf_2833_1.pcap')) ? false : `sipp's pcaps are not in ${DTMF_PCAPS}`);

describe('media from sipp pcaps into a call', { skip, timeout: 120_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;

  before(async () => {
    app = await startWebApp({ missing: 404 });
    // A long timeout: the digits come when sipp plays them, not on the engine's clock.
    app.documents.set('/gather', '<Response><Gather action="/digits" timeout="10"/><Say>Nothing was pressed.</Say></Response>');
    app.documents.set('/digits', '<Response><Hangup/></Response>');
    dialtone = await Dialtone.prepare({ name: 'e2e-media', rtpBase: 50000 });
    await dialtone.addNumber('+15550301', `${app.base}/gather`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  beforeEach(() => {
    app.hits.length = 0;
  });

  async function call(scenarioFile: string): Promise<void> {
    const run = await startSipp({
      scenario: { file: scenarioFile },
      remote: `127.0.0.1:${dialtone.sipPort}`,
      port: await freeUdpPort(),
      // sipp's own media port, where play_pcap_audio sends from; away from other tests' 6000.
      args: ['-s', '+15550301', '-mp', String(await freeUdpPort())],
      timeoutSec: 30,
    }).done;
    assert.equal(run.code, 0, run.report);
  }

  it('RFC 2833 events of 1, 5, 9 and # (sipp dtmf_2833_*.pcap): the action webhook gets Digits=159', async () => {
    await call(sippScenario('uac-dtmf-2833.xml'));
    const action = app.hits.find((h) => h.path === '/digits');
    assert.ok(action, `the Gather action was requested: ${JSON.stringify(app.hits)}`);
    assert.equal(action.params.Digits, '159');
    const calls = await dialtone.lastCall();
    const digits = calls.timeline.filter((e) => e.type === 'digit');
    assert.deepEqual(
      digits.map((e) => `${String(e.data.digit)}:${String(e.data.source)}`),
      ['1:rfc4733', '5:rfc4733', '9:rfc4733', '#:rfc4733'],
    );
    assert.equal(calls.status, 'completed');
  });

  it('the tones of 1, 5, 9 and # as PCMU audio, no telephone-event: heard in the decoded audio, Digits=159', async () => {
    await call(sippScenario('uac-inband-dtmf.xml'));
    const action = app.hits.find((h) => h.path === '/digits');
    assert.ok(action, `the Gather action was requested: ${JSON.stringify(app.hits)}`);
    assert.equal(action.params.Digits, '159');
    const calls = await dialtone.lastCall();
    const digits = calls.timeline.filter((e) => e.type === 'digit');
    assert.deepEqual(
      digits.map((e) => `${String(e.data.digit)}:${String(e.data.source)}`),
      ['1:inband', '5:inband', '9:inband', '#:inband'],
    );
    const media = calls.timeline.find((e) => e.type === 'media' && e.data.event === 'closed');
    // The call ends as soon as # is heard, so the pcap's last packets may come after it.
    assert.ok(media && Number(media.data.packetsReceived) >= 40, `most of the pcap's 65 packets arrived: ${JSON.stringify(media)}`);
  });
});
