/**
 * `dialtone call`, spawned as its own process, against sipp (real, /usr/bin/sipp) on
 * 127.0.0.1: the built-in UAS (we hang up with --hangup-after), a UAS that refuses with
 * 486, and a UAS that answers with telephone-event and hangs up itself (--json). Each run
 * is bounded by sipp's `-timeout 20s`, a kill timer, and dialtone's own --timeout.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallReport } from '../../src/cli/commands/call.js';
import { runCli } from '../support/run-cli.js';
import { countReceived, freeUdpPort, sippScenario, sippSkip, startSipp, waitForUdpBind } from '../support/sipp.js';

/** Timeline lines without their `+123ms` column. */
function events(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^\+\d+ms/.test(l))
    .map((l) => l.replace(/^\+\d+ms\s+/, ''));
}

function indexOf(lines: readonly string[], pattern: RegExp): number {
  return lines.findIndex((l) => pattern.test(l));
}

describe('dialtone call → sipp (UDP)', { skip: sippSkip, timeout: 90_000 }, () => {
  it('calls the built-in UAS, hangs up after 1 s: exit 0, INVITE → 180 → 200 → ACK → BYE → 200 in the timeline', async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { builtin: 'uas' }, port });
    try {
      await waitForUdpBind(port);
      const run = await runCli(['call', `sip:svc@127.0.0.1:${port}`, '--hangup-after', '1', '--timeout', '20']);
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.code, 0, output);
      const lines = events(run.stdout);
      const invite = indexOf(lines, new RegExp(`^→ INVITE sip:svc@127\\.0\\.0\\.1:${port}$`));
      const ringing = indexOf(lines, /^← 180 Ringing$/);
      const ok = indexOf(lines, /^← 200 OK \(PCMU\/8000/);
      const ack = indexOf(lines, /^→ ACK$/);
      const bye = indexOf(lines, /^→ BYE$/);
      const byeOk = indexOf(lines, /^← 200 OK \(BYE\)$/);
      assert.ok(invite === 0, output);
      assert.ok(invite < ringing && ringing < ok && ok < ack && ack < bye && bye < byeOk, output);
      assert.match(run.stdout, /media stopped: \d+ packets in/);
      assert.match(run.stdout, /call ended: answered after \d+ ms, lasted 1\.\d\d s, we hung up/);
      // The BYE went about a second after the answer.
      const at = (pattern: RegExp): number => Number(/^\+(\d+)ms/.exec(run.stdout.split('\n').find((l) => pattern.test(l)) ?? '')?.[1]);
      const answeredAt = at(/← 200 OK \(PCMU/);
      const byeAt = at(/→ BYE$/);
      assert.ok(byeAt - answeredAt >= 950 && byeAt - answeredAt < 1500, `answer at ${answeredAt} ms, BYE at ${byeAt} ms`);
      const sippRun = await sipp.done;
      assert.equal(sippRun.code, 0, sippRun.report);
      assert.equal(countReceived(sippRun.messages, 'ACK '), 1);
      assert.equal(countReceived(sippRun.messages, 'BYE '), 1);
    } finally {
      sipp.kill();
    }
  });

  it('a number goes to --server as sip:<number>@host:port; 486 Busy Here → exit 1 and "486" printed', async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-busy.xml') }, port });
    try {
      await waitForUdpBind(port);
      const run = await runCli(['call', '+15550100', '--server', `127.0.0.1:${port}`, '--timeout', '20']);
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.code, 1, output);
      const lines = events(run.stdout);
      assert.equal(lines[0], `→ INVITE sip:+15550100@127.0.0.1:${port}`, output);
      assert.ok(lines.includes('← 100 Trying'), output);
      assert.ok(lines.includes('← 486 Busy Here'), output);
      assert.ok(lines.includes('→ ACK'), output);
      assert.match(run.stdout, /call not answered: 486 Busy Here/);
      const sippRun = await sipp.done;
      assert.equal(sippRun.code, 0, sippRun.report);
      assert.match(sippRun.messages, /INVITE sip:\+15550100@127\.0\.0\.1/);
      assert.match(sippRun.messages, /From: <sip:\+15550199@127\.0\.0\.1>/);
    } finally {
      sipp.kill();
    }
  });

  it('--json: one object; the far end hangs up (its BYE answered 200), digits sent as RFC 4733 → exit 0', async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-answer-then-bye.xml') }, port });
    try {
      await waitForUdpBind(port);
      const run = await runCli(['call', `sip:svc@127.0.0.1:${port}`, '--digits', '1w2', '--json', '--timeout', '20']);
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.code, 0, output);
      assert.equal(run.stdout.trim().split('\n').length, 1, 'one line of JSON');
      const report = JSON.parse(run.stdout) as CallReport;
      assert.equal(report.target, `sip:svc@127.0.0.1:${port}`);
      assert.equal(report.answered, true);
      assert.equal(report.status, 200);
      assert.equal(report.codec, 'PCMU/8000');
      assert.equal(report.telephoneEvent, 101);
      assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' });
      assert.equal(report.digitsSent, '12');
      assert.equal(report.exitCode, 0);
      assert.equal(report.error, null);
      assert.equal(report.recording, null);
      assert.ok(report.durationMs >= 2800 && report.durationMs < 4500, `durationMs ${report.durationMs}`);
      assert.ok(report.media !== null && report.media.packetsSent > 40, JSON.stringify(report.media));

      const sip = report.timeline.filter((e) => e.type === 'sip');
      const names = sip.map((e) => `${e.direction} ${e.method ?? `${e.status} ${e.cseq?.split(' ')[1]}`}`);
      assert.deepEqual(
        names.filter((n) => !n.includes(' 100 ')),
        ['sent INVITE', 'received 180 INVITE', 'received 200 INVITE', 'sent ACK', 'received BYE', 'sent 200 BYE'],
        names.join(', '),
      );
      const answer = sip.find((e) => e.status === 200 && e.cseq?.endsWith('INVITE'));
      assert.deepEqual(answer?.media?.codec, 'PCMU/8000');
      const dtmf = report.timeline.filter((e) => e.type === 'dtmf');
      assert.deepEqual(dtmf.map((e) => e.digit), ['1', '2']);
      assert.ok(dtmf[1]!.atMs - dtmf[0]!.atMs >= 500, `w pauses half a second: ${dtmf.map((e) => e.atMs).join(', ')}`);
      const times = report.timeline.map((e) => e.atMs);
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'timeline in order');
      assert.ok(report.timeline.some((e) => e.type === 'media' && e.event === 'stopped'));

      const sippRun = await sipp.done;
      assert.equal(sippRun.code, 0, sippRun.report);
    } finally {
      sipp.kill();
    }
  });
});

describe('dialtone call: usage', { timeout: 30_000 }, () => {
  it('exits 2 on a target that is neither a number nor a SIP URI', async () => {
    const bad = await runCli(['call', 'not a number']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /TARGET must be a phone number/);
  });
});
