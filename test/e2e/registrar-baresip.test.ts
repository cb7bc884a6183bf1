/**
 * baresip, a real softphone, registers to `dialtone start` as a client added with
 * `dialtone clients add`: the right password registers (REGISTER_OK after the Digest
 * challenge), a wrong one is refused (REGISTER_FAIL), `<Dial><Client>alice</Client></Dial>`
 * rings the registered phone (the caller hears its tone), and a removed client can no
 * longer register.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallReport } from '../../src/cli/commands/call.js';
import { assertHeardTone, readPcm, sine, wavBytes } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { runCli, startCli } from '../support/run-cli.js';
import { freeUdpPort } from '../support/sipp.js';

describe('baresip registers to dialtone start', { skip: baresipSkip, timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-registrar-'));
  const tone = join(dataDir, 'tone.wav');
  const hits: { path: string; params: Record<string, string> }[] = [];
  let app: Server | undefined;
  let sipPort = 0;
  let env: NodeJS.ProcessEnv = {};
  let dialtone: Awaited<ReturnType<typeof startCli>> | undefined;
  const peers: Baresip[] = [];

  before(async () => {
    writeFileSync(tone, wavBytes(sine(1000, 20, 0.5)));
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        hits.push({ path, params: Object.fromEntries(new URLSearchParams(body)) });
        res.setHeader('content-type', 'text/xml');
        if (path === '/client') res.end('<Response><Dial action="/client-action" timeout="10"><Client>alice</Client></Dial></Response>');
        else res.end('<Response><Hangup/></Response>');
      });
    });
    await new Promise<void>((r) => app!.listen(0, '127.0.0.1', r));
    const appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    sipPort = await freeUdpPort();
    const rtp = 54000 + (process.pid % 100) * 20;
    env = {
      DIALTONE_DATA_DIR: dataDir,
      DIALTONE_HTTP_PORT: '0',
      DIALTONE_SIP_PORT: String(sipPort),
      DIALTONE_RTP_PORTS: `${rtp}-${rtp + 19}`,
      DIALTONE_BIND_ADDRESS: '127.0.0.1',
      DIALTONE_LOG_LEVEL: 'warn',
    };
    const added = await runCli(['clients', 'add', 'alice', '--password', 'correct-horse', '--json'], { env });
    assert.equal(added.code, 0, added.stderr);
    const client = JSON.parse(added.stdout) as { username: string; sid: string; register: string };
    assert.equal(client.username, 'alice');
    assert.match(client.sid, /^CR[0-9a-f]{32}$/);
    assert.equal(client.register, `sip:alice@127.0.0.1:${sipPort}`);
    assert.equal((await runCli(['clients', 'add', 'alice', '--password', 'another-one'], { env })).code, 2, 'a second alice is refused');
    const number = await runCli(['numbers', 'add', '+15550131', '--voice-url', `${appBase}/client`], { env });
    assert.equal(number.code, 0, number.stderr);
    dialtone = await startCli(['start'], /Dialtone is running at/, env);
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });

  after(async () => {
    await dialtone?.stop();
    await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function softphone(password: string): Promise<Baresip> {
    const p = await Baresip.start({ audioSource: tone, killAfterMs: 60_000, register: { aor: `sip:alice@127.0.0.1:${sipPort}`, password } });
    peers.push(p);
    return p;
  }

  /**
   * baresip registers as soon as it starts, sometimes before the test's control connection
   * is up to hear REGISTER_OK; it also prints the registrar's answer.
   */
  async function registered(phone: Baresip): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (phone.eventsOf('REGISTER_OK').length > 0 || /alice@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/.test(phone.log)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`alice did not register:\n${phone.log}`);
  }

  /** The registrar refused it: REGISTER_FAIL, or baresip's own line saying so (same race as above). */
  async function refused(phone: Baresip): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (phone.eventsOf('REGISTER_FAIL').length > 0 || /reg: sip:alice@127\.0\.0\.1:\d+: 401 Unauthorized/.test(phone.log)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`alice was not refused:\n${phone.log}`);
  }

  it('registers with the right password', async () => {
    const phone = await softphone('correct-horse');
    await registered(phone);
    assert.equal(phone.eventsOf('REGISTER_FAIL').length, 0);
  });

  it('is refused with a wrong password', async () => {
    const phone = await softphone('wrong-password');
    await refused(phone);
    assert.equal(phone.eventsOf('REGISTER_OK').length, 0);
  });

  it('<Dial><Client>alice</Client></Dial> rings the registered phone: the caller hears it, the action gets completed', async (t) => {
    const phone = await softphone('correct-horse');
    await registered(phone);
    const out = join(dataDir, 'client-heard.wav');
    const run = await runCli(['call', '+15550131', '--server', `127.0.0.1:${sipPort}`, '--json', '--timeout', '30', '--record', out, '--hangup-after', '5']);
    const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone ---\n${dialtone?.output() ?? ''}\n--- baresip ---\n${phone.log}`;
    assert.equal(run.code, 0, context());
    assert.equal((JSON.parse(run.stdout) as CallReport).answered, true);
    await phone.waitForEvent('CALL_ESTABLISHED', 5000);
    t.diagnostic(assertHeardTone(readPcm(out), 2, context()));
    await phone.waitForEvent('CALL_CLOSED', 10_000);
    for (let i = 0; i < 50 && !hits.some((h) => h.path === '/client-action'); i++) await new Promise((r) => setTimeout(r, 100));
    const action = hits.find((h) => h.path === '/client-action');
    assert.equal(action?.params['DialCallStatus'], 'completed', context());
  });

  it('cannot register once the client is removed', async () => {
    const removed = await runCli(['clients', 'remove', 'alice'], { env });
    assert.equal(removed.code, 0, removed.stderr);
    const listed = await runCli(['clients', 'list', '--json'], { env });
    assert.deepEqual(JSON.parse(listed.stdout), []);
    const phone = await softphone('correct-horse');
    await refused(phone);
  });
});
