import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.js';

interface ListedTrunk {
  readonly sid: string;
  readonly accountSid: string;
  readonly dateCreated: string;
  readonly dateUpdated: string;
  readonly friendlyName: string;
  readonly host: string;
  readonly port: number;
  readonly transport: string;
  readonly username: string | null;
  readonly prefixes: string[];
  readonly priority: number;
  readonly callerId: string | null;
  readonly stripPrefix: string | null;
  readonly addPrefix: string | null;
  readonly enabled: boolean;
}

describe('dialtone trunks', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-trunks-'));
  const env = { DIALTONE_DATA_DIR: dataDir, DIALTONE_LOG_LEVEL: 'silent' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds, lists, disables and removes trunks; passwords are never printed', async () => {
    const added = await runCli(
      ['trunks', 'add', 'carrier', '--host', 'sip.carrier.example', '--port', '5080', '--transport', 'TCP', '--username', 'acme', '--password', 'hunter2secret',
        '--prefix', '+1', '+44', '--priority', '5', '--caller-id', '+15550100', '--strip-prefix', '+', '--add-prefix', '00', '--json'],
      { env },
    );
    assert.equal(added.code, 0, added.stderr);
    const carrier = JSON.parse(added.stdout) as ListedTrunk;
    assert.match(carrier.sid, /^TK[0-9a-f]{32}$/);
    const { sid: _sid, accountSid: _account, dateCreated: _created, dateUpdated: _updated, ...fields } = carrier;
    assert.deepEqual(fields, {
      friendlyName: 'carrier',
      host: 'sip.carrier.example',
      port: 5080,
      transport: 'tcp',
      username: 'acme',
      prefixes: ['+1', '+44'],
      priority: 5,
      callerId: '+15550100',
      stripPrefix: '+',
      addPrefix: '00',
      enabled: true,
    });
    assert.doesNotMatch(added.stdout, /hunter2secret/);

    const fallback = await runCli(['trunks', 'add', 'fallback', '--host', '192.0.2.10'], { env });
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(fallback.stdout, /added trunk fallback +TK[0-9a-f]{32} +udp 192\.0\.2\.10:5060, prefixes \*, priority 10, caller ID passed through/);

    const text = await runCli(['trunks', 'list'], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(text.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['carrier', 'fallback']);
    assert.match(text.stdout, /digest user acme/);
    assert.doesNotMatch(text.stdout, /hunter2secret/);

    assert.equal((await runCli(['trunks', 'disable', 'fallback'], { env })).code, 0);
    const listed = JSON.parse((await runCli(['trunks', 'list', '--json'], { env })).stdout) as (ListedTrunk & { password?: string })[];
    assert.deepEqual(listed.map((t) => [t.friendlyName, t.enabled, t.password]), [['carrier', true, undefined], ['fallback', false, undefined]]);

    const removed = await runCli(['trunks', 'remove', carrier.sid], { env });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed trunk carrier/);
    assert.equal((await runCli(['trunks', 'remove', 'fallback'], { env })).code, 0);
    const missing = await runCli(['trunks', 'remove', 'fallback'], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /no trunk named fallback/);
    assert.match((await runCli(['trunks', 'list'], { env })).stdout, /no trunks/);
  });

  it('refuses bad input with a usage error that says what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['trunks', 'add', 'x'], /--host/],
      [['trunks', 'add', 'x', '--host', 'h.example', '--transport', 'tls'], /--transport must be udp or tcp/],
      [['trunks', 'add', 'x', '--host', 'h.example', '--port', 'http'], /--port must be a whole number/],
      [['trunks', 'add', 'x', '--host', 'h.example', '--prefix', '44'], /prefix "44"/],
      [['trunks', 'add', 'x', '--host', 'h.example', '--username', 'u'], /needs a password/],
      [['trunks', 'add', 'x', '--host', 'h.example', '--caller-id', 'alice'], /caller ID "alice"/],
      [['trunks', 'add', 'x y', '--host', 'h.example'], /not a trunk name/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, { env });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    assert.equal((await runCli(['trunks', 'add', 'dup', '--host', 'h.example'], { env })).code, 0);
    const dup = await runCli(['trunks', 'add', 'dup', '--host', 'h.example'], { env });
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /already exists/);
  });
});
