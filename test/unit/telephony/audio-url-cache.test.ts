/**
 * The audio URL cache against a real HTTP server on 127.0.0.1. Time moves
 * through the cache's injected clock, so max-age expiry needs no waiting.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AudioDecodeError, AudioFetchError } from '../../../src/media/audio/errors.js';
import { AudioUrlCache, parseCacheControl } from '../../../src/telephony/audio-url-cache.js';
import { toneShare, toneWav } from '../media/audio/audio-kit.js';

const WAV = toneWav({ sampleRate: 16000, depth: '16', channels: 1, seconds: 0.5 });
const OTHER_WAV = toneWav({ sampleRate: 8000, depth: '16', channels: 1, seconds: 0.25, frequency: 500 });

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Route {
  handler: Handler;
  requests: IncomingMessage[];
}

let server: Server;
let base: string;
const routes = new Map<string, Route>();

/** Registers `path` on the test server; returns its URL and the requests it received. */
function route(path: string, handler: Handler): { url: string; requests: IncomingMessage[] } {
  const entry: Route = { handler, requests: [] };
  routes.set(path, entry);
  return { url: `${base}${path}`, requests: entry.requests };
}

function wav(headers: Record<string, string> = {}, body: Uint8Array = WAV): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': body.length, ...headers });
    res.end(body);
  };
}

/** Test time: the caches' clock and the server's Date header both follow it. */
let offset = 0;
const now = (): number => Date.now() + offset;

function clock(): { now: () => number; advance: (ms: number) => void } {
  offset = 0;
  return { now, advance: (ms) => (offset += ms) };
}

before(async () => {
  server = createServer((req, res) => {
    const entry = routes.get(req.url ?? '');
    if (entry === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    entry.requests.push(req);
    res.setHeader('date', new Date(now()).toUTCString());
    entry.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function fetchError(code: string, twilioCode: number, status?: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AudioFetchError, `expected AudioFetchError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.twilioCode, twilioCode);
    if (status !== undefined) assert.equal(error.status, status);
    return true;
  };
}

describe('parseCacheControl', () => {
  it('reads directives, bare and with (quoted) values, case-insensitively', () => {
    const cc = parseCacheControl('Max-Age=60, no-cache="set-cookie", must-revalidate, bogus stuff');
    assert.equal(cc.get('max-age'), '60');
    assert.equal(cc.get('no-cache'), 'set-cookie');
    assert.equal(cc.get('must-revalidate'), '');
    assert.equal(cc.has('bogus'), false);
  });
});

describe('AudioUrlCache', () => {
  it('SEM-P4: fetches with a plain GET and decodes to 8 kHz', async () => {
    const { url, requests } = route('/plain.wav', wav());
    const cache = new AudioUrlCache();
    try {
      const result = await cache.fetch(url);
      assert.equal(result.outcome, 'fetched');
      assert.equal(result.pcm.length, 4000);
      assert.ok(toneShare(result.pcm, 1000, 8000, 200, 3800) > 0.99);
      assert.equal(requests.length, 1);
      const req = requests[0]!;
      assert.equal(req.method, 'GET');
      assert.equal(req.headers['content-length'], undefined);
      assert.equal(req.headers.cookie, undefined);
      assert.equal(new URL(req.url!, base).search, '', 'no call parameters');
    } finally {
      await cache.close();
    }
  });

  it('SEM-H7: serves from memory while max-age lasts, then fetches again', async () => {
    const { url, requests } = route('/max-age.wav', wav({ 'cache-control': 'public, max-age=60' }));
    const time = clock();
    const cache = new AudioUrlCache({ now: time.now });
    try {
      const first = await cache.fetch(url);
      const second = await cache.fetch(url);
      assert.equal(second.outcome, 'hit');
      assert.equal(second.pcm, first.pcm, 'the same decoded buffer');
      assert.ok(first.pcm.buffer instanceof SharedArrayBuffer);
      assert.equal(requests.length, 1);
      time.advance(59_000);
      assert.equal((await cache.fetch(url)).outcome, 'hit');
      time.advance(2_000);
      assert.equal((await cache.fetch(url)).outcome, 'fetched');
      assert.equal(requests.length, 2);
    } finally {
      await cache.close();
    }
  });

  it('counts the Age header against max-age, and honours Expires', async () => {
    const aged = route('/aged.wav', wav({ 'cache-control': 'max-age=60', age: '50' }));
    const expires = route('/expires.wav', (_req, res) => {
      wav({ expires: new Date(now() + 10_000).toUTCString() })(_req, res);
    });
    const time = clock();
    const cache = new AudioUrlCache({ now: time.now });
    try {
      await cache.fetch(aged.url);
      await cache.fetch(expires.url);
      time.advance(5_000);
      assert.equal((await cache.fetch(aged.url)).outcome, 'hit');
      assert.equal((await cache.fetch(expires.url)).outcome, 'hit');
      time.advance(6_000);
      assert.equal((await cache.fetch(aged.url)).outcome, 'fetched');
      assert.equal((await cache.fetch(expires.url)).outcome, 'fetched');
    } finally {
      await cache.close();
    }
  });

  it('revalidates with If-None-Match and keeps the decoded audio on 304', async () => {
    let changed = false;
    const { url, requests } = route('/etag.wav', (req, res) => {
      const etag = changed ? '"v2"' : '"v1"';
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'max-age=30' });
        res.end();
        return;
      }
      wav({ etag, 'cache-control': 'max-age=30' }, changed ? OTHER_WAV : WAV)(req, res);
    });
    const time = clock();
    const cache = new AudioUrlCache({ now: time.now });
    try {
      const first = await cache.fetch(url);
      time.advance(31_000);
      const second = await cache.fetch(url);
      assert.equal(second.outcome, 'revalidated');
      assert.equal(second.pcm, first.pcm);
      assert.equal(requests[1]!.headers['if-none-match'], '"v1"');
      // The 304's max-age starts a new lifetime.
      time.advance(20_000);
      assert.equal((await cache.fetch(url)).outcome, 'hit');
      assert.equal(requests.length, 2);
      // The file changes: a 200 replaces the entry.
      changed = true;
      time.advance(11_000);
      const third = await cache.fetch(url);
      assert.equal(third.outcome, 'fetched');
      assert.equal(third.pcm.length, 2000);
      assert.ok(toneShare(third.pcm, 500, 8000, 0, 2000) > 0.99);
    } finally {
      await cache.close();
    }
  });

  it('revalidates with If-Modified-Since, and every time under no-cache', async () => {
    const modified = new Date(Date.now() - 3600_000).toUTCString();
    const { url, requests } = route('/no-cache.wav', (req, res) => {
      if (req.headers['if-modified-since'] === modified) {
        res.writeHead(304);
        res.end();
        return;
      }
      wav({ 'last-modified': modified, 'cache-control': 'no-cache' })(req, res);
    });
    const cache = new AudioUrlCache();
    try {
      await cache.fetch(url);
      assert.equal((await cache.fetch(url)).outcome, 'revalidated');
      assert.equal((await cache.fetch(url)).outcome, 'revalidated');
      assert.equal(requests.length, 3);
      assert.equal(requests[2]!.headers['if-modified-since'], modified);
    } finally {
      await cache.close();
    }
  });

  it('never keeps no-store responses', async () => {
    const { url, requests } = route('/no-store.wav', wav({ 'cache-control': 'no-store, max-age=600', etag: '"x"' }));
    const cache = new AudioUrlCache();
    try {
      await cache.fetch(url);
      const again = await cache.fetch(url);
      assert.equal(again.outcome, 'fetched');
      assert.equal(requests.length, 2);
      assert.equal(requests[1]!.headers['if-none-match'], undefined);
      assert.equal(cache.stats.entries, 0);
    } finally {
      await cache.close();
    }
  });

  it('shares one fetch among concurrent requests for the same URL', async () => {
    const { url, requests } = route('/slow.wav', (req, res) => {
      setTimeout(() => wav({ 'cache-control': 'max-age=60' })(req, res), 50);
    });
    const cache = new AudioUrlCache();
    try {
      const results = await Promise.all([cache.get(url), cache.get(url), cache.get(url)]);
      assert.equal(requests.length, 1);
      assert.equal(results[0], results[1]);
      assert.equal(results[1], results[2]);
      assert.equal(cache.stats.shared, 2);
    } finally {
      await cache.close();
    }
  });

  it('follows redirects, and fails past the limit with 11215', async () => {
    route('/moved.wav', (_req, res) => {
      res.writeHead(302, { location: '/plain-target.wav' });
      res.end();
    });
    route('/plain-target.wav', wav());
    route('/loop.wav', (_req, res) => {
      res.writeHead(301, { location: '/loop.wav' });
      res.end();
    });
    const cache = new AudioUrlCache({ maxRedirects: 3 });
    try {
      assert.equal((await cache.get(`${base}/moved.wav`)).length, 4000);
      await assert.rejects(cache.get(`${base}/loop.wav`), fetchError('too-many-redirects', 11215, 301));
    } finally {
      await cache.close();
    }
  });

  it('turns HTTP errors into the 11200 family', async () => {
    route('/broken.wav', (_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const cache = new AudioUrlCache({ timeoutMs: 5_000 });
    try {
      await assert.rejects(cache.get(`${base}/missing.wav`), fetchError('http-status', 11200, 404));
      await assert.rejects(cache.get(`${base}/broken.wav`), fetchError('http-status', 11200, 500));
      await assert.rejects(cache.get('not a url'), fetchError('invalid-url', 11100));
      await assert.rejects(cache.get('ftp://127.0.0.1/x.wav'), fetchError('invalid-url', 11100));
      // A port nobody listens on: connection refused.
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      await assert.rejects(cache.get(`http://127.0.0.1:${port}/x.wav`), fetchError('connection', 11205));
      await assert.rejects(cache.get('http://dialtone-no-such-host.invalid/x.wav'), fetchError('dns', 11210));
    } finally {
      await cache.close();
    }
  });

  it('gives up on a server that never answers (11205)', async () => {
    const hanging: ServerResponse[] = [];
    const { url } = route('/hang.wav', (_req, res) => {
      hanging.push(res);
    });
    const cache = new AudioUrlCache({ timeoutMs: 150 });
    try {
      await assert.rejects(cache.get(url), (error: unknown) => {
        assert.ok(error instanceof AudioFetchError);
        assert.equal(error.code, 'connection');
        assert.equal(error.twilioCode, 11205);
        assert.match(error.message, /longer than 150 ms/);
        return true;
      });
    } finally {
      for (const res of hanging) res.destroy();
      await cache.close();
    }
  });

  it('fails with 13420 when the body is not audio', async () => {
    const html = route('/page', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>Hello</body></html>');
    });
    const xmlLabelledWav = route('/twiml', wav({ 'content-type': 'application/xml' }));
    const cache = new AudioUrlCache();
    try {
      for (const url of [html.url, xmlLabelledWav.url]) {
        await assert.rejects(cache.get(url), (error: unknown) => {
          assert.ok(error instanceof AudioDecodeError);
          assert.equal(error.code, 'invalid-content-type');
          assert.equal(error.twilioCode, 13420);
          return true;
        });
      }
    } finally {
      await cache.close();
    }
  });

  it('plays the stale copy when revalidation fails, unless must-revalidate', async () => {
    let down = false;
    const handler = (headers: Record<string, string>): Handler => (req, res) => {
      if (down) {
        res.writeHead(503);
        res.end();
        return;
      }
      wav(headers)(req, res);
    };
    const lenient = route('/lenient.wav', handler({ 'cache-control': 'max-age=10', etag: '"a"' }));
    const strict = route('/strict.wav', handler({ 'cache-control': 'max-age=10, must-revalidate', etag: '"a"' }));
    const time = clock();
    const cache = new AudioUrlCache({ now: time.now });
    try {
      await cache.get(lenient.url);
      await cache.get(strict.url);
      down = true;
      time.advance(11_000);
      assert.equal((await cache.fetch(lenient.url)).outcome, 'stale');
      await assert.rejects(cache.get(strict.url), fetchError('http-status', 11200, 503));
    } finally {
      await cache.close();
    }
  });

  it('limits body size and memory', async () => {
    const big = route('/big.wav', wav({ 'cache-control': 'max-age=60' }));
    const small = new AudioUrlCache({ maxBodyBytes: 1000 });
    const tight = new AudioUrlCache({ maxMemoryBytes: 10_000 });
    try {
      await assert.rejects(small.get(big.url), fetchError('too-large', 11200));
      const chunked = route('/chunked.wav', (_req, res) => {
        res.writeHead(200, { 'content-type': 'audio/wav' });
        res.write(WAV.subarray(0, 600));
        setTimeout(() => res.end(WAV.subarray(600)), 10);
      });
      await assert.rejects(small.get(chunked.url), fetchError('too-large', 11200));
      // 0.5 s at 8 kHz is 8,000 bytes: one entry fits, two do not.
      const other = route('/big2.wav', wav({ 'cache-control': 'max-age=60' }));
      await tight.get(big.url);
      await tight.get(other.url);
      assert.equal(tight.stats.entries, 1);
      assert.equal(tight.stats.memoryBytes, 8000);
      assert.equal((await tight.fetch(other.url)).outcome, 'hit');
      assert.equal((await tight.fetch(big.url)).outcome, 'fetched');
    } finally {
      await small.close();
      await tight.close();
    }
  });

  it('lets a caller stop waiting without cancelling the shared fetch', async () => {
    const { url, requests } = route('/slower.wav', (req, res) => {
      setTimeout(() => wav({ 'cache-control': 'max-age=60' })(req, res), 80);
    });
    const cache = new AudioUrlCache();
    try {
      const controller = new AbortController();
      const impatient = cache.get(url, { signal: controller.signal });
      const patient = cache.get(url);
      controller.abort();
      await assert.rejects(impatient, fetchError('aborted', 11200));
      assert.equal((await patient).length, 4000);
      assert.equal(requests.length, 1);
    } finally {
      await cache.close();
    }
  });
});
