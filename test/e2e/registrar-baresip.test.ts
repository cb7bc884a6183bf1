/**
 * baresip, a real softphone, registers to `dialtone start` as a client added with
 * `dialtone clients add`: the right password registers (REGISTER_OK after the Digest
 * challenge), a wrong one is refused (REGISTER_FAIL), `<Dial><Client>alice</Client></Dial>`
 * rings the registered phone (the caller hears its tone), and a removed client can no
 * longer register.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallReport } from '../../src/cli/commands/call.js';
import { assertHeardTone, readPcm, sine, wavBytes } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { eventually } from '../support/wait.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

describe('baresip registers to dialtone start', { skip: baresipSkip, timeout: 120_000 }, () => {
  let tone = '';
  let app: WebApp | undefined;
  let sipPort = 0;
  let dialtone: Dialtone | undefined;
  const peers: Baresip[] = [];

  before(async () => {
    app = await startWebApp();
    app.documents.set('/client', '<Response><Dial action="/client-action" timeout="10"><Client>alice</Client></Dial></Response>');
    dialtone = await Dialtone.prepare({ name: 'registrar', rtpBase: 54000 });
    sipPort = dialtone.sipPort;
    tone = join(dialtone.dataDir, 'tone.wav');
    writeFileSync(tone, wavBytes(sine(1000, 20, 0.5)));
    const client = JSON.parse(await dialtone.cli(['clients', 'add', 'alice', '--password', 'correct-horse', '--json'])) as { username: string; sid: string; register: string };
    assert.equal(client.username, 'alice');
    assert.match(client.sid, /^CR[0-9a-f]{32}$/);
    assert.equal(client.register, `sip:alice@127.0.0.1:${sipPort}`);
    assert.equal((await dialtone.run(['clients', 'add', 'alice', '--password', 'another-one'])).code, 2, 'a second alice is refused');
    await dialtone.addNumber('+15550131', `${app.base}/client`);
    await dialtone.start();
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
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
    await eventually(
      () => phone.eventsOf('REGISTER_OK').length > 0 || /alice@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/.test(phone.log),
      () => `alice to register:\n${phone.log}`,
      10_000,
      100,
    );
  }

  /** The registrar refused it: REGISTER_FAIL, or baresip's own line saying so (same race as above). */
  async function refused(phone: Baresip): Promise<void> {
    await eventually(
      () => phone.eventsOf('REGISTER_FAIL').length > 0 || /reg: sip:alice@127\.0\.0\.1:\d+: 401 Unauthorized/.test(phone.log),
      () => `alice to be refused:\n${phone.log}`,
      10_000,
      100,
    );
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
    const out = join(dialtone!.dataDir, 'client-heard.wav');
    const run = await dialtone!.call('+15550131', ['--record', out, '--hangup-after', '5'], 30);
    const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone ---\n${dialtone?.output() ?? ''}\n--- baresip ---\n${phone.log}`;
    assert.equal(run.code, 0, context());
    assert.equal((JSON.parse(run.stdout) as CallReport).answered, true);
    await phone.waitForEvent('CALL_ESTABLISHED', 5000);
    t.diagnostic(assertHeardTone(readPcm(out), 2, context()));
    await phone.waitForEvent('CALL_CLOSED', 10_000);
    const action = await app!.hit('/client-action', { timeoutMs: 5_000, context });
    assert.equal(action?.params['DialCallStatus'], 'completed', context());
  });

  it('cannot register once the client is removed', async () => {
    await dialtone!.cli(['clients', 'remove', 'alice']);
    assert.deepEqual(JSON.parse(await dialtone!.cli(['clients', 'list', '--json'])), []);
    const phone = await softphone('correct-horse');
    await refused(phone);
  });
});
