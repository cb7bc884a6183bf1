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
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli, startCli } from '../support/run-cli.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp } from '../support/sipp.js';

const DTMF_PCAPS = '/usr/share/sip-tester';
const skip = sippSkip || (existsSync(join(DTMF_PCAPS, 'dtmf_2833_1.pcap')) ? false : `sipp's pcaps are not in ${DTMF_PCAPS}`);

interface Hit {
  readonly path: string;
  readonly params: Record<string, string>;
}

describe('media from sipp pcaps into a call', { skip, timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-e2e-media-'));
  const scenarios = mkdtempSync(join(tmpdir(), 'dialtone-e2e-media-sf-'));
  const hits: Hit[] = [];
  let appBase = '';
  let app: Server;
  let dialtone: Awaited<ReturnType<typeof startCli>>;
  let sipPort = 0;
  const rtpBase = 50000 + (process.pid % 200) * 10;
  const env = (): NodeJS.ProcessEnv => ({
    DIALTONE_DATA_DIR: dataDir,
    DIALTONE_HTTP_PORT: '0',
    DIALTONE_SIP_PORT: String(sipPort),
    DIALTONE_RTP_PORTS: `${rtpBase}-${rtpBase + 9}`,
    DIALTONE_BIND_ADDRESS: '127.0.0.1',
    DIALTONE_LOG_LEVEL: 'warn',
  });
  const docs: Record<string, string> = {
    // A long timeout: the digits come when sipp plays them, not on the engine's clock.
    '/gather': '<Response><Gather action="/digits" timeout="10"/><Say>Nothing was pressed.</Say></Response>',
    '/digits': '<Response><Hangup/></Response>',
  };

  before(async () => {
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = new URL(req.url!, appBase).pathname;
        hits.push({ path, params: Object.fromEntries(new URLSearchParams(body)) });
        res.statusCode = docs[path] === undefined ? 404 : 200;
        res.setHeader('content-type', 'text/xml');
        res.end(docs[path] ?? '');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    sipPort = await freeUdpPort();
    const added = await runCli(['numbers', 'add', '+15550301', '--voice-url', `${appBase}/gather`], { env: env() });
    assert.equal(added.code, 0, added.stderr);
    dialtone = await startCli(['start'], /Dialtone is running at/, env());
  });

  after(async () => {
    await dialtone?.stop();
    await new Promise<void>((r) => app.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scenarios, { recursive: true, force: true });
  });

  beforeEach(() => {
    hits.length = 0;
  });

  /** A fixture scenario with FIXTURES_DIR made absolute (sipp opens pcaps by the path written in the scenario). */
  function scenario(name: string): string {
    const file = sippScenario(name);
    const out = join(scenarios, name);
    writeFileSync(out, readFileSync(file, 'utf8').replaceAll('FIXTURES_DIR', dirname(file)));
    return out;
  }

  async function call(scenarioFile: string): Promise<void> {
    const run = await startSipp({
      scenario: { file: scenarioFile },
      remote: `127.0.0.1:${sipPort}`,
      port: await freeUdpPort(),
      // sipp's own media port, where play_pcap_audio sends from; away from other tests' 6000.
      args: ['-s', '+15550301', '-mp', String(await freeUdpPort())],
      timeoutSec: 30,
    }).done;
    assert.equal(run.code, 0, run.report);
  }

  async function lastCall(): Promise<{ status: string; timeline: { type: string; data: Record<string, unknown> }[] }> {
    const list = await runCli(['calls', 'list', '--json', '--limit', '1'], { env: env() });
    const [found] = JSON.parse(list.stdout) as { sid: string }[];
    const show = await runCli(['calls', 'show', found!.sid, '--json'], { env: env() });
    return JSON.parse(show.stdout) as never;
  }

  it('RFC 2833 events of 1, 5, 9 and # (sipp dtmf_2833_*.pcap): the action webhook gets Digits=159', async () => {
    await call(sippScenario('uac-dtmf-2833.xml'));
    const action = hits.find((h) => h.path === '/digits');
    assert.ok(action, `the Gather action was requested: ${JSON.stringify(hits)}`);
    assert.equal(action.params.Digits, '159');
    const calls = await lastCall();
    const digits = calls.timeline.filter((e) => e.type === 'digit');
    assert.deepEqual(
      digits.map((e) => `${String(e.data.digit)}:${String(e.data.source)}`),
      ['1:rfc4733', '5:rfc4733', '9:rfc4733', '#:rfc4733'],
    );
    assert.equal(calls.status, 'completed');
  });

  it('the tones of 1, 5, 9 and # as PCMU audio, no telephone-event: heard in the decoded audio, Digits=159', async () => {
    await call(scenario('uac-inband-dtmf.xml'));
    const action = hits.find((h) => h.path === '/digits');
    assert.ok(action, `the Gather action was requested: ${JSON.stringify(hits)}`);
    assert.equal(action.params.Digits, '159');
    const calls = await lastCall();
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
