/**
 * sipp (Debian package sip-tester) as a real peer: it sends OPTIONS over UDP to a server
 * transaction layer that answers 200. Skipped, with the reason, when sipp is not installed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSipStack, type SipStack } from '../../support/sip-stack.js';

const SCENARIO = fileURLToPath(new URL('../../fixtures/sipp/options-uac.xml', import.meta.url));
const sippMissing = spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error !== undefined;
const skip = sippMissing ? 'sipp is not installed (Debian package sip-tester)' : false;

/** A UDP port that was free a moment ago (sipp needs a port number, not 0). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function runSipp(args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

describe('sipp against the transaction layer', { skip }, () => {
  let server: SipStack;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dialtone-sipp-'));
    server = await startSipStack({
      protocols: ['UDP'],
      onEvent: (e) => {
        if (e.type === 'request' && e.request.method === 'OPTIONS') e.transaction.reply(200);
      },
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sipp sends OPTIONS over UDP and gets 200', async () => {
    const { host, port } = server.address('UDP');
    const run = await runSipp(
      [
        `${host}:${port}`,
        '-sf', SCENARIO,
        '-s', 'dialtone',
        '-i', '127.0.0.1',
        '-p', String(await freeUdpPort()),
        '-t', 'u1',
        '-m', '1',
        '-nostdin',
        '-timeout', '15s',
        '-timeout_error',
      ],
      dir,
    );
    assert.equal(run.code, 0, `sipp failed:\n${run.output}`);
    const options = server.events.filter((e) => e.type === 'request' && e.request.method === 'OPTIONS');
    assert.equal(options.length, 1);
  });
});
