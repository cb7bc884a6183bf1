/**
 * The registrar over real UDP: a client socket sends REGISTERs as a softphone would,
 * answering the Digest challenge with the password (or a wrong one), and reads what comes
 * back. The location service behind it is what `<Dial><Client>` will look up.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { DigestNonces, answerChallenge, digestHA1, pickChallenge } from '../../../src/sip/auth/index.js';
import { createSipStack, type SipStack } from '../../../src/sip/index.js';
import { LocationService, Registrar } from '../../../src/sip/registrar/index.js';
import { parseMessage, type SipResponse } from '../../../src/sip/message/index.js';

const REALM = 'dialtone';
const USERS: Record<string, string> = { alice: 'alice-secret', bob: 'bob-secret' };

class RegisteringClient {
  readonly socket = dgram.createSocket('udp4');
  readonly callId = `${randomBytes(6).toString('hex')}@127.0.0.1`;
  cseq = 0;
  #nc = 0;
  #challenge: string[] = [];
  readonly #inbox: SipResponse[] = [];
  #wake: (() => void) | undefined;

  constructor(
    readonly server: { host: string; port: number },
    readonly user: string,
  ) {
    this.socket.on('message', (bytes) => {
      const parsed = parseMessage(bytes);
      if (parsed.ok && parsed.message.kind === 'response' && parsed.message.status >= 200) {
        this.#inbox.push(parsed.message);
        this.#wake?.();
      }
    });
  }

  async bind(): Promise<number> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
    return this.socket.address().port;
  }

  /** Send one REGISTER (a new CSeq unless given) and wait for its final response. */
  async register(options: {
    contact?: string | null;
    expires?: number;
    password?: string;
    to?: string;
    cseq?: number;
    extra?: [string, string][];
  } = {}): Promise<SipResponse> {
    const cseq = options.cseq ?? ++this.cseq;
    const uri = `sip:${this.server.host}:${this.server.port}`;
    const port = this.socket.address().port;
    const lines = [
      `REGISTER ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${REALM}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:${options.to ?? this.user}@${REALM}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} REGISTER`,
    ];
    if (options.contact !== null) lines.push(`Contact: ${options.contact ?? `<sip:${this.user}@127.0.0.1:${port}>`}`);
    if (options.expires !== undefined) lines.push(`Expires: ${options.expires}`);
    const challenge = pickChallenge(this.#challenge);
    if (options.password !== undefined && challenge !== undefined) {
      const auth = answerChallenge(challenge, {
        username: this.user,
        password: options.password,
        method: 'REGISTER',
        uri,
        cnonce: randomBytes(8).toString('hex'),
        nc: ++this.#nc,
      });
      if (auth !== undefined) lines.push(`Authorization: ${auth}`);
    }
    for (const [name, value] of options.extra ?? []) lines.push(`${name}: ${value}`);
    lines.push('Content-Length: 0', '', '');
    this.#inbox.length = 0;
    this.socket.send(lines.join('\r\n'), this.server.port, this.server.host);
    const response = await new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response to REGISTER')), 3000);
      const check = (): void => {
        const r = this.#inbox.shift();
        if (r === undefined) return;
        clearTimeout(timer);
        this.#wake = undefined;
        resolve(r);
      };
      this.#wake = check;
      check();
    });
    if (response.status === 401) {
      this.#challenge = response.headers.getAll('WWW-Authenticate');
      this.#nc = 0;
    }
    return response;
  }

  /** Register as a softphone does: the first try is challenged, the second answers it. */
  async login(options: Parameters<RegisteringClient['register']>[0] = {}): Promise<SipResponse> {
    const first = await this.register({ ...options, password: undefined });
    if (first.status !== 401) return first;
    return this.register({ ...options, password: options.password ?? USERS[this.user] ?? 'nobody' });
  }

  close(): void {
    this.socket.close();
  }
}

describe('registrar over UDP', () => {
  let stack: SipStack;
  const location = new LocationService();
  let server: { host: string; port: number };
  const clients: RegisteringClient[] = [];

  async function client(user: string): Promise<RegisteringClient> {
    const c = new RegisteringClient(server, user);
    await c.bind();
    clients.push(c);
    return c;
  }

  before(async () => {
    stack = await createSipStack({ udpPort: 0, tcpPort: false });
    const registrar = new Registrar({
      location,
      realm: REALM,
      nonces: new DigestNonces({ secret: randomBytes(32) }),
      lookupHA1: (username, realm, hash) => {
        const password = USERS[username];
        return password === undefined ? undefined : digestHA1(hash, username, realm, password);
      },
    });
    stack.ua.on('register', (request, tx, inbound) => void registrar.handle(request, tx, inbound));
    const address = stack.address('UDP');
    server = { host: address.host, port: address.port };
  });

  after(async () => {
    for (const c of clients) c.close();
    await stack.close();
  });

  it('challenges with SHA-256 first and MD5 second, then binds the contact for the time asked', async () => {
    const alice = await client('alice');
    const first = await alice.register({ expires: 600 });
    assert.equal(first.status, 401);
    const challenges = first.headers.getAll('WWW-Authenticate');
    assert.equal(challenges.length, 2);
    assert.match(challenges[0]!, /^Digest realm="dialtone".*algorithm=SHA-256.*qop="auth"/);
    assert.match(challenges[1]!, /algorithm=MD5/);

    const ok = await alice.register({ expires: 600, password: 'alice-secret' });
    assert.equal(ok.status, 200);
    const port = alice.socket.address().port;
    assert.deepEqual(ok.headers.getAll('Contact'), [`<sip:alice@127.0.0.1:${port}>;expires=600`]);
    assert.ok(ok.headers.get('Date'));
    const [binding] = location.lookup('alice', Date.now());
    assert.equal(binding?.contact, `sip:alice@127.0.0.1:${port}`);
    // The flow the REGISTER came over, where an INVITE to alice will go.
    assert.deepEqual({ host: binding?.flow.host, port: binding?.flow.port, transport: binding?.flow.transport }, { host: '127.0.0.1', port, transport: 'UDP' });
  });

  it('answers a wrong password, an unknown user and a missing Authorization with 401, binding nothing', async () => {
    const bob = await client('bob');
    assert.equal((await bob.login({ password: 'not-bobs' })).status, 401);
    const mallory = await client('mallory');
    assert.equal((await mallory.login({ password: 'whatever' })).status, 401);
    assert.deepEqual(location.lookup('bob', Date.now()), []);
    assert.deepEqual(location.lookup('mallory', Date.now()), []);
  });

  it('refuses to register another user’s address with the right password (403)', async () => {
    const bob = await client('bob');
    const r = await bob.login({ to: 'alice' });
    assert.equal(r.status, 403);
  });

  it('asks for at least Min-Expires (423) and cuts long registrations to an hour', async () => {
    const bob = await client('bob');
    const brief = await bob.login({ expires: 30 });
    assert.equal(brief.status, 423);
    assert.equal(brief.headers.get('Min-Expires'), '60');
    const long = await bob.login({ expires: 86_400 });
    assert.equal(long.status, 200);
    assert.match(long.headers.get('Contact') ?? '', /;expires=3600$/);
  });

  it('lists the bindings to a REGISTER without Contact, and refuses an older CSeq of the same Call-ID (500)', async () => {
    const alice = await client('alice');
    assert.equal((await alice.login({ expires: 120 })).status, 200);
    const query = await alice.register({ contact: null, password: 'alice-secret' });
    assert.equal(query.status, 200);
    const contacts = query.headers.getAll('Contact');
    assert.ok(contacts.some((c) => c.includes(`127.0.0.1:${alice.socket.address().port}`)), contacts.join(' | '));

    const stale = await alice.register({ expires: 0, password: 'alice-secret', cseq: 1 });
    assert.equal(stale.status, 500);
    assert.ok(location.lookup('alice', Date.now()).some((b) => b.contact.includes(String(alice.socket.address().port))));
  });

  it('removes one binding with expires=0 and all of them with Contact: * and Expires: 0', async () => {
    const first = await client('bob');
    const second = await client('bob');
    assert.equal((await first.login({ expires: 300 })).status, 200);
    assert.equal((await second.login({ expires: 300 })).status, 200);
    const before = location.lookup('bob', Date.now()).length;
    assert.ok(before >= 2);

    assert.equal((await first.register({ expires: 0, password: 'bob-secret' })).status, 200);
    assert.equal(location.lookup('bob', Date.now()).length, before - 1);

    assert.equal((await second.register({ contact: '*', password: 'bob-secret' })).status, 400, 'a wildcard needs Expires: 0');
    assert.equal((await second.register({ contact: '*', expires: 0, password: 'bob-secret' })).status, 200);
    assert.deepEqual(location.lookup('bob', Date.now()), []);
  });

  it('says it takes REGISTER in its Allow', async () => {
    const c = await client('alice');
    const r = await new Promise<SipResponse>((resolve) => {
      c.socket.once('message', (bytes) => {
        const parsed = parseMessage(bytes);
        if (parsed.ok && parsed.message.kind === 'response') resolve(parsed.message);
      });
      const port = c.socket.address().port;
      c.socket.send(
        [
          `OPTIONS sip:${server.host}:${server.port} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKopt${randomBytes(4).toString('hex')}`,
          'Max-Forwards: 70',
          'From: <sip:alice@dialtone>;tag=o1',
          'To: <sip:dialtone@dialtone>',
          `Call-ID: opt-${randomBytes(4).toString('hex')}`,
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
        server.port,
        server.host,
      );
    });
    assert.match(r.headers.get('Allow') ?? '', /REGISTER/);
  });
});
