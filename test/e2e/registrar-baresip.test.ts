/**
 * baresip, a real softphone, registers to `dialtone start` as a client added with
 * `dialtone clients add`: the right password registers (REGISTER_OK after the Digest
 * challenge), a wrong one is refused (REGISTER_FAIL), and a removed client can no longer
 * register.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { runCli, startCli } from '../support/run-cli.js';
import { freeUdpPort } from '../support/sipp.js';

describe('baresip registers to dialtone start', { skip: baresipSkip, timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-registrar-'));
  const silence = join(dataDir, 'silence.wav');
  let sipPort = 0;
  let env: NodeJS.ProcessEnv = {};
  let dialtone: Awaited<ReturnType<typeof startCli>> | undefined;
  const peers: Baresip[] = [];

  before(async () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 8000, '16', new Int16Array(8000));
    writeFileSync(silence, wav.toBuffer());
    sipPort = await freeUdpPort();
    const rtp = 36000 + (process.pid % 100) * 20;
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
    dialtone = await startCli(['start'], /Dialtone is running at/, env);
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });

  after(async () => {
    await dialtone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function softphone(password: string): Promise<Baresip> {
    const p = await Baresip.start({ audioSource: silence, register: { aor: `sip:alice@127.0.0.1:${sipPort}`, password } });
    peers.push(p);
    return p;
  }

  it('registers with the right password', async () => {
    const phone = await softphone('correct-horse');
    const ok = await phone.waitForEvent('REGISTER_OK', 10_000);
    assert.ok(ok);
    assert.equal(phone.eventsOf('REGISTER_FAIL').length, 0);
  });

  it('is refused with a wrong password', async () => {
    const phone = await softphone('wrong-password');
    await phone.waitForEvent('REGISTER_FAIL', 10_000);
    assert.equal(phone.eventsOf('REGISTER_OK').length, 0);
  });

  it('cannot register once the client is removed', async () => {
    const removed = await runCli(['clients', 'remove', 'alice'], { env });
    assert.equal(removed.code, 0, removed.stderr);
    const listed = await runCli(['clients', 'list', '--json'], { env });
    assert.deepEqual(JSON.parse(listed.stdout), []);
    const phone = await softphone('correct-horse');
    await phone.waitForEvent('REGISTER_FAIL', 10_000);
  });
});
