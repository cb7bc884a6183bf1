import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../support/run-cli.js';

describe('dialtone start: the HTTP server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-'));
  let base = '';
  let banner = '';
  let stop: () => Promise<number | null>;
  before(async () => {
    const started = await startCli(['start'], /Dialtone is running at (http:\/\/127\.0\.0\.1:\d+)[^]*demo[^\n]*\n/, {
      DIALTONE_HTTP_PORT: '0',
      DIALTONE_BIND_ADDRESS: '127.0.0.1',
      DIALTONE_DATA_DIR: dataDir,
      DIALTONE_ACCOUNT_SID: 'AC11111111111111111111111111111111',
      DIALTONE_AUTH_TOKEN: 'secret-token',
    });
    base = started.match[1]!;
    banner = started.output();
    stop = started.stop;
  });
  after(async () => {
    assert.equal(await stop(), 0, 'stops cleanly on SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the account and the demo number on first start', () => {
    assert.match(banner, /account {2}AC11111111111111111111111111111111/);
    assert.match(banner, /token {4}secret-token/);
    assert.match(banner, /demo {5}\+15550100 answers with the demo application at http:\/\/127\.0\.0\.1:\d+\/demo\/voice/);
  });

  it('serves the demo application as valid TwiML', async () => {
    const voice = await fetch(`${base}/demo/voice`, { method: 'POST' });
    assert.match(voice.headers.get('content-type') ?? '', /text\/xml/);
    const doc = await voice.text();
    const check = await fetch(`${base}/v1/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: doc });
    const record = (await check.json()) as { valid: boolean; warnings: unknown[] };
    assert.equal(record.valid, true);
    assert.deepEqual(record.warnings, []);
    assert.match(doc, /<Gather numDigits="1" action="menu"/);
    const menu = await (await fetch(`${base}/demo/menu`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Digits=2' })).text();
    assert.match(menu, /<Record action="recorded"/);
    const tone = await fetch(`${base}/demo/tone.wav`);
    assert.equal(tone.headers.get('content-type'), 'audio/wav');
    assert.equal((await tone.arrayBuffer()).byteLength, 44 + 2 * 8000 * 2);
  });

  it('answers /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
  });

  it('validates a document posted to /v1/validate', async () => {
    const res = await fetch(`${base}/v1/validate?target=telnyx`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<Response>\n  <Pay/>\n  <Gather numDigits="x"/>\n</Response>',
    });
    assert.equal(res.status, 200);
    const record = (await res.json()) as { valid: boolean; errors: { code: number; detail: number; line: number }[]; warnings: { message: string }[] };
    assert.equal(record.valid, false);
    assert.deepEqual(
      record.errors.map((e) => [e.code, e.detail, e.line]),
      [[12200, 13314, 3]],
    );
    assert.match(record.warnings[0]!.message, /<Pay>/);
  });

  it('accepts text/plain bodies and reports 12100 for broken XML', async () => {
    const res = await fetch(`${base}/v1/validate`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '<Response><Say>' });
    const record = (await res.json()) as { valid: boolean; errors: { code: number }[] };
    assert.equal(record.valid, false);
    assert.equal(record.errors[0]!.code, 12100);
  });

  it('answers a bad query with Twilio-shaped error JSON', async () => {
    const res = await fetch(`${base}/v1/validate?dialect=klingon`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '<Response/>' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: number; status: number; message: string; more_info: string };
    assert.equal(body.status, 400);
    assert.equal(typeof body.code, 'number');
    assert.match(body.message, /dialect/);
  });

  it('answers an unknown route with 404 in the same shape', async () => {
    const res = await fetch(`${base}/nowhere`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: number }).code, 20404);
  });
});
