/**
 * The servers under test, in their own process so the load generator does not share
 * their event loop: Dialtone's HTTP server with the compatible API over a SQLite file
 * holding 500 calls, and a bare fastify app that answers the same JSON from memory.
 * Prints one JSON line with the ports and paths, then serves until killed. Each line
 * read from stdin is answered with one line: the CPU time this process has used, in µs,
 * so the load generator can charge each round's CPU to the target it drove.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import Fastify from 'fastify';
import { pino } from 'pino';
import { buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dialtone-api-bench-'));
const store = await openStore({ dataDir: dir });
const account = await store.accounts.create();
let sid = '';
for (let i = 0; i < 500; i++) {
  const call = await store.calls.create({ accountSid: account.sid, from: `+1555100${String(i % 10).padStart(4, '0')}`, to: '+15552000001', direction: 'inbound' });
  await store.calls.update(call.sid, { status: 'completed', startTime: call.dateCreated, endTime: call.dateCreated, duration: 42 });
  if (i === 250) sid = call.sid;
}

const dialtone = await buildServer({ logger: pino({ level: 'silent' }), version: 'bench', store });
await dialtone.listen({ port: 0, host: '127.0.0.1' });
const dialtonePort = (dialtone.server.address() as AddressInfo).port;
const authorization = `Basic ${Buffer.from(`${account.sid}:${account.authToken}`).toString('base64')}`;
const fetchPath = `/2010-04-01/Accounts/${account.sid}/Calls/${sid}.json`;
const listPath = `/2010-04-01/Accounts/${account.sid}/Calls.json?PageSize=50`;

// The bare ceiling answers exactly what Dialtone answered, with no auth, store or paging.
const fetchJson = (await dialtone.inject({ method: 'GET', url: fetchPath, headers: { authorization } })).json<unknown>();
const listJson = (await dialtone.inject({ method: 'GET', url: listPath, headers: { authorization } })).json<unknown>();
const bare = Fastify();
bare.get('/call', async () => fetchJson);
bare.get('/calls', async () => listJson);
await bare.listen({ port: 0, host: '127.0.0.1' });
const barePort = (bare.server.address() as AddressInfo).port;

process.stdout.write(`${JSON.stringify({ dialtonePort, barePort, authorization, fetchPath, listPath, listBytes: JSON.stringify(listJson).length })}\n`);

const stop = async (): Promise<void> => {
  await dialtone.close();
  await bare.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
const commands = createInterface({ input: process.stdin });
commands.on('line', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${user + system}\n`);
});
commands.on('close', () => void stop());
