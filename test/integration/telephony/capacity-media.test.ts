/**
 * The capacity rule on a real MediaHost: what it reads (requests in flight and how long
 * the oldest has waited) comes from the host with no round trip. A worker that has not
 * answered for a while is made by reading a request really in flight on a clock moved
 * ahead (no fake worker); a worker gone is a real crash (`terminate`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaHost } from '../../../src/media/host.js';
import { CallCapacity } from '../../../src/telephony/capacity.js';

const quiet = { warn: (): void => undefined, error: (): void => undefined };

describe('capacity on a real media host', { timeout: 60_000 }, () => {
  let host: MediaHost;
  before(async () => {
    host = await MediaHost.start({ workers: 1, respawn: false, ports: { min: 31800, max: 31819 }, logger: quiet });
  });
  after(async () => {
    await host.close();
  });

  it('takes calls while the worker answers; refuses while a request has waited past the bound; takes them again once answered', async () => {
    let ahead = 0;
    const capacity = new CallCapacity({ media: host, limits: { maxReplyWaitMs: 1000 }, now: () => performance.now() + ahead });
    const first = capacity.admit('inbound');
    assert.equal(first.refused, false);

    const inFlight = host.createLeg();
    assert.equal(host.workers[0]!.pendingCount, 1);
    ahead = 5000; // read the request in flight as if it had waited five seconds
    const refusal = capacity.admit('inbound');
    assert.ok(refusal.refused);
    assert.equal(refusal.reason, 'media-behind');
    assert.match(refusal.message, /media worker 0 has kept a request waiting \d+ ms \(bound 1000 ms\)/);

    const leg = await inFlight;
    assert.equal(host.workers[0]!.pendingCount, 0);
    assert.equal(host.workers[0]!.oldestPendingMs(), 0);
    assert.equal(capacity.admit('inbound').refused, false, 'answered: nothing waits, whatever the clock');
    await leg.close();
  });

  it('refuses with media-down once the only worker has crashed', async () => {
    const capacity = new CallCapacity({ media: host });
    await host.workers[0]!.terminate();
    const refusal = capacity.admit('outbound-api');
    assert.ok(refusal.refused);
    assert.equal(refusal.reason, 'media-down');
  });
});
