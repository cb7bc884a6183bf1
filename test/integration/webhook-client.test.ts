import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { WebhookClient } from '../../src/engine/webhook/client.js';
import { CookieJar } from '../../src/engine/webhook/cookies.js';
import { WebhookError } from '../../src/engine/webhook/errors.js';
import { destinationGuard } from '../../src/engine/webhook/guard.js';

const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: IncomingMessage['headers'];
}

/** A web application: records every request and answers by path. */
function application(): { server: Server; seen: Seen[]; base: () => string } {
  const seen: Seen[] = [];
  let hits = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, headers: req.headers });
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/voice') {
        res.setHeader('content-type', 'text/xml');
        res.setHeader('set-cookie', 'session=abc123; Path=/; HttpOnly');
        res.end('<Response><Say>Hi</Say></Response>');
      } else if (path === '/next') {
        res.setHeader('content-type', 'text/xml');
        res.end('<Response><Hangup/></Response>');
      } else if (path === '/moved') {
        res.statusCode = 302;
        res.setHeader('location', '/next');
        res.end();
      } else if (path === '/loop') {
        res.statusCode = 307;
        res.setHeader('location', '/loop');
        res.end();
      } else if (path === '/private') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('ann:s3cret:x').toString('base64')}`;
        res.statusCode = ok ? 200 : 401;
        if (!ok) res.setHeader('www-authenticate', 'Basic realm="app"');
        res.setHeader('content-type', 'text/xml');
        res.end(ok ? '<Response><Say>Private</Say></Response>' : '');
      } else if (path === '/empty') {
        res.end();
      } else if (path === '/huge') {
        res.setHeader('content-type', 'text/xml');
        res.end(`<Response>${'<Pause/>'.repeat(10_000)}</Response>`);
      } else if (path === '/slow') {
        setTimeout(() => res.end('<Response/>'), 1500);
      } else if (path === '/flaky') {
        hits++;
        res.statusCode = hits % 2 === 1 ? 503 : 200;
        res.end('<Response/>');
      } else {
        res.statusCode = 500;
        res.end('boom');
      }
    });
  });
  return { server, seen, base: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('webhook client', () => {
  const app = application();
  const client = new WebhookClient({ guard: destinationGuard({ mode: 'development' }) });
  before(() => new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r)));
  after(async () => {
    await client.close();
    await new Promise<void>((r) => app.server.close(() => r()));
  });

  it('SEM-H1: POSTs the parameters form-encoded, signed so that the official twilio validator accepts them', async () => {
    const params = { CallSid: 'CA0123', From: '+15550199', To: '+15550100', CallStatus: 'ringing', Direction: 'inbound' };
    const res = await client.fetch({ url: `${app.base()}/voice?step=1`, method: 'POST', params, authToken: TOKEN, expectDocument: true });
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'text/xml');
    assert.equal(res.body.toString(), '<Response><Say>Hi</Say></Response>');
    const req = app.seen.at(-1)!;
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    const received = Object.fromEntries(new URLSearchParams(req.body));
    assert.deepEqual(received, params);
    const signature = req.headers['x-twilio-signature'] as string;
    assert.ok(twilio.validateRequest(TOKEN, signature, `${app.base()}${req.url}`, received), 'twilio.validateRequest accepts it');
    assert.equal(req.headers['x-signalwire-signature'], signature);
    assert.equal(res.signed, `${app.base()}/voice?step=1CallSidCA0123CallStatusringingDirectioninboundFrom+15550199To+15550100`);
    assert.ok(!twilio.validateRequest('wrong-token', signature, `${app.base()}${req.url}`, received));
  });

  it('SEM-H1: GETs with the parameters in the query string, signed over the full URL', async () => {
    await client.fetch({ url: `${app.base()}/voice`, method: 'GET', params: { CallSid: 'CA9', Digits: '1#' }, authToken: TOKEN });
    const req = app.seen.at(-1)!;
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/voice?CallSid=CA9&Digits=1%23');
    assert.ok(twilio.validateRequest(TOKEN, req.headers['x-twilio-signature'] as string, `${app.base()}${req.url}`, {}));
  });

  it('SEM-H5: keeps cookies for the call', async () => {
    const jar = new CookieJar();
    await client.fetch({ url: `${app.base()}/voice`, method: 'POST', params: {}, cookies: jar });
    await client.fetch({ url: `${app.base()}/next`, method: 'POST', params: {}, cookies: jar });
    assert.equal(app.seen.at(-1)!.headers.cookie, 'session=abc123');
  });

  it('SEM-H3: follows redirects (a POST answered 302 goes on as GET), and stops a redirect loop with 11215', async () => {
    const res = await client.fetch({ url: `${app.base()}/moved`, method: 'POST', params: { A: '1' }, expectDocument: true });
    assert.equal(res.body.toString(), '<Response><Hangup/></Response>');
    assert.equal(app.seen.at(-1)!.method, 'GET', 'a 302 after POST continues as GET');
    await assert.rejects(client.fetch({ url: `${app.base()}/loop`, method: 'POST', params: {} }), (e: WebhookError) => e.code === 11215);
  });

  it('SEM-H6: user:pass in the URL: asked without, then again with Basic credentials after the 401; signed over the URL without them', async () => {
    const before = app.seen.length;
    const url = `${app.base().replace('http://', 'http://ann:s3cret%3Ax@')}/private`;
    const res = await client.fetch({ url, method: 'POST', params: { CallSid: 'CA1' }, authToken: TOKEN, expectDocument: true });
    assert.equal(res.body.toString(), '<Response><Say>Private</Say></Response>');
    const [first, second] = app.seen.slice(before);
    assert.equal(first?.headers.authorization, undefined, 'the first request carries no credentials');
    assert.ok(second?.headers.authorization?.startsWith('Basic '));
    assert.ok(twilio.validateRequest(TOKEN, second!.headers['x-twilio-signature'] as string, `${app.base()}/private`, { CallSid: 'CA1' }));
    assert.equal(res.url, url, 'the URL it reports keeps them, so that relative URLs in the document do too');
  });

  it('SEM-H4: turns failures into Twilio codes and a sentence for the caller', async () => {
    const fail = (url: string, extra: { expectDocument?: boolean } = {}) =>
      client.fetch({ url, method: 'POST', params: {}, ...extra }).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e as WebhookError,
      );
    const status = await fail(`${app.base()}/nowhere`);
    assert.equal(status.code, 11200);
    assert.equal(status.status, 500);
    assert.match(status.spoken(), /the application at 127\.0\.0\.1 port \d+ answered 500/);
    assert.equal((await fail(`${app.base()}/empty`, { expectDocument: true })).code, 11770);
    assert.equal((await fail(`${app.base()}/huge`, { expectDocument: true })).code, 11750);
    assert.equal((await fail('ftp://example.com/x')).code, 11100);
    const refused = await fail('http://127.0.0.1:1/voice');
    assert.equal(refused.code, 11202);
    assert.match(refused.spoken(), /refused the connection/);
    assert.equal((await fail(`${app.base()}/slow#rt=300&rc=0`)).code, 11203);
  });

  it('SEM-H2: honours retry overrides in the URL fragment, and never sends the fragment', async () => {
    const res = await client.fetch({ url: `${app.base()}/flaky#rc=2&rp=5xx`, method: 'POST', params: {}, expectDocument: true });
    assert.equal(res.attempts, 2);
    assert.ok(!app.seen.at(-1)!.url.includes('#'));
  });

  it('in production refuses loopback and private destinations unless listed', async () => {
    const strict = new WebhookClient({ guard: destinationGuard({ mode: 'production' }) });
    const listed = new WebhookClient({ guard: destinationGuard({ mode: 'production', allow: ['127.0.0.0/8'] }) });
    const byName = new WebhookClient({ guard: destinationGuard({ mode: 'production', allow: ['localhost'] }) });
    try {
      await assert.rejects(strict.fetch({ url: `${app.base()}/voice`, method: 'POST', params: {} }), (e: WebhookError) => e.failure === 'refused-destination');
      await assert.rejects(strict.fetch({ url: `${app.base().replace('127.0.0.1', 'localhost')}/voice`, method: 'POST', params: {} }), (e: WebhookError) => e.failure === 'refused-destination');
      await assert.rejects(strict.fetch({ url: 'http://[::ffff:10.0.0.1]/voice', method: 'POST', params: {} }), (e: WebhookError) => e.failure === 'refused-destination');
      assert.equal((await listed.fetch({ url: `${app.base()}/voice`, method: 'POST', params: {} })).status, 200);
      assert.equal((await byName.fetch({ url: `${app.base().replace('127.0.0.1', 'localhost')}/voice`, method: 'POST', params: {} })).status, 200);
    } finally {
      await Promise.all([strict.close(), listed.close(), byName.close()]);
    }
  });
});
