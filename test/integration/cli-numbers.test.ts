import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.js';

describe('dialtone numbers and calls', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-numbers-'));
  const env = { DIALTONE_DATA_DIR: dataDir, DIALTONE_LOG_LEVEL: 'silent' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds, lists and removes numbers in the data directory', async () => {
    const added = await runCli(
      ['numbers', 'add', '+1 (555) 010-0199', '--voice-url', 'http://127.0.0.1:3000/voice', '--voice-method', 'get', '--dialect', 'apifonica', '--json'],
      { env },
    );
    assert.equal(added.code, 0, added.stderr);
    const number = JSON.parse(added.stdout) as { phoneNumber: string; voiceMethod: string; dialect: string; sid: string };
    assert.equal(number.phoneNumber, '+15550100199');
    assert.equal(number.voiceMethod, 'GET');
    assert.equal(number.dialect, 'apifonica');

    const list = await runCli(['numbers', 'list', '--json'], { env });
    const numbers = JSON.parse(list.stdout) as { phoneNumber: string }[];
    assert.deepEqual(numbers.map((n) => n.phoneNumber).sort(), ['+15550100', '+15550100199'], 'the first start added the demo number');

    const again = await runCli(['numbers', 'add', '+15550100199'], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already/);

    const removed = await runCli(['numbers', 'remove', number.sid], { env });
    assert.equal(removed.code, 0);
    const missing = await runCli(['numbers', 'remove', '+15550100199'], { env });
    assert.equal(missing.code, 1);
  });

  it('refuses bad input with a usage error', async () => {
    assert.equal((await runCli(['numbers', 'add', 'alice'], { env })).code, 2);
    assert.equal((await runCli(['numbers', 'add', '+15550111', '--voice-url', 'ftp://x'], { env })).code, 2);
    assert.equal((await runCli(['numbers', 'add', '+15550111', '--voice-method', 'PUT'], { env })).code, 2);
    assert.equal((await runCli(['numbers', 'add', '+15550111', '--dialect', 'plivo'], { env })).code, 2);
  });

  it('lists calls and shows a missing call as such', async () => {
    const list = await runCli(['calls', 'list'], { env });
    assert.equal(list.code, 0);
    assert.match(list.stdout, /no calls/);
    const show = await runCli(['calls', 'show', 'CA00000000000000000000000000000000'], { env });
    assert.equal(show.code, 1);
  });
});
