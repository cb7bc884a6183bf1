import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../support/run-cli.js';

const fixture = (path: string): string => new URL(`../fixtures/xml/${path}`, import.meta.url).pathname;

describe('dialtone validate', () => {
  let server: Server;
  let base = '';
  before(async () => {
    // A web application serving documents, as the engine will fetch them.
    server = createServer((req, res) => {
      if (req.url === '/voice.xml') {
        res.setHeader('content-type', 'text/xml');
        res.end('<Response><Say>Hi</Say><Hangup/></Response>');
      } else {
        res.statusCode = 500;
        res.end('boom');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('exits 0 and prints one JSON record per valid input', async () => {
    const run = await runCli(['validate', '--json', fixture('seeds/002-gather-say.xml'), fixture('apifonica/ivr-get-input.xml')]);
    assert.equal(run.code, 0, run.stderr);
    const records = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records.length, 2);
    assert.deepEqual(
      records.map((r) => [r.valid, r.dialect, r.kind]),
      [
        [true, 'twiml', 'voice'],
        [true, 'apifonica', 'voice'],
      ],
    );
    assert.deepEqual(Object.keys(records[0]!), ['source', 'valid', 'dialect', 'kind', 'errors', 'warnings']);
  });

  it('exits 1 when any input is invalid, and shows the line with a caret', async () => {
    const run = await runCli(['validate', fixture('seeds/002-pause.xml'), fixture('invalid/pause-length-invalid.xml')]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /pause-length-invalid\.xml:2:10 error 12200\/13910: <Pause> length="soon"/);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('2 |   <Pause length="soon"/>'));
    assert.ok(at > 0, run.stdout);
    const caret = lines[at + 1]!;
    const source = lines[at]!;
    assert.equal(source.charAt(caret.indexOf('^')), 'l', 'the caret stands under the attribute');
  });

  it('reads standard input and URLs', async () => {
    const stdin = await runCli(['validate', '--json', '-'], { stdin: '<Response><Hangup/></Response>' });
    assert.equal(stdin.code, 0);
    assert.equal((JSON.parse(stdin.stdout) as { source: string }).source, 'stdin');
    const url = await runCli(['validate', '--json', `${base}/voice.xml`]);
    assert.equal(url.code, 0, url.stdout);
    const broken = await runCli(['validate', '--json', `${base}/missing.xml`]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /HTTP 500/);
  });

  it('lints for a target platform', async () => {
    const doc = '<Response><Denoise>on</Denoise><Pay/></Response>';
    const telnyx = await runCli(['validate', '--json', '--target', 'telnyx', '-'], { stdin: doc });
    assert.equal(telnyx.code, 0);
    const record = JSON.parse(telnyx.stdout) as { warnings: { message: string }[] };
    assert.equal(record.warnings.length, 2);
    assert.match(record.warnings[0]!.message, /Telnyx TeXML has no <Denoise>/);
    assert.match(record.warnings[1]!.message, /<Pay>/);
    const signalwire = await runCli(['validate', '--json', '--target', 'signalwire', '-'], { stdin: doc });
    assert.deepEqual((JSON.parse(signalwire.stdout) as { warnings: unknown[] }).warnings, []);
    const apifonica = await runCli(['validate', '--target', 'apifonica', '-'], { stdin: doc });
    assert.equal(apifonica.code, 1);
    assert.match(apifonica.stdout, /12102/);
  });

  it('exits 2 on a usage error', async () => {
    assert.equal((await runCli(['validate'])).code, 2);
    assert.equal((await runCli(['validate', '--dialect', 'klingon', '-'])).code, 2);
    assert.equal((await runCli(['validate', '--target', 'myspace', '-'])).code, 2);
    assert.equal((await runCli(['frobnicate'])).code, 2);
  });
});
