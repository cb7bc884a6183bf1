/**
 * A media worker that dies takes its legs with it, not the host: pending
 * requests reject with MediaWorkerDiedError, the legs report `workerclose`
 * and `close`, the host emits `died` and carries on with a new worker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaHost, type MediaWorkerHandle } from '../../../src/media/host.js';
import { LegClosedError, MediaWorkerDiedError } from '../../../src/media/errors.js';
import { dbRelativeTo, delay, nextEvent, powerAt, trimSilence } from './support.js';

describe('media worker death', { timeout: 60_000 }, () => {
  let host: MediaHost;
  before(async () => {
    host = await MediaHost.start({ workers: 1, ports: { min: 31500, max: 31599 }, logger: quietLogger() });
  });
  after(async () => {
    await host.close();
  });

  it('rejects pending requests, closes the legs and keeps the host working', async () => {
    const leg = await host.createLeg();
    const other = await host.createLeg({ remote: leg.local });
    await other.play({ kind: 'tone', frequencies: [400] }); // plays until stopped
    const workerClose = nextEvent(leg, 'workerclose');
    const closed = nextEvent(leg, 'close');
    const died = nextEvent(host, 'died');
    const dead = host.workers[0]!;

    const requests = [leg.stats(), other.stopPlay(), host.createLeg(), leg.sendDigits('1')];
    assert.equal(dead.pendingCount, 4);
    await dead.terminate();
    const results = await Promise.allSettled(requests);
    for (const result of results) {
      if (result.status === 'rejected') assert.ok(result.reason instanceof MediaWorkerDiedError, String(result.reason));
    }
    assert.ok(results.some((r) => r.status === 'rejected'), 'requests in flight were rejected');

    const [error] = await workerClose;
    assert.ok(error instanceof MediaWorkerDiedError);
    assert.equal(error.code, 'worker-died');
    assert.deepEqual(await closed, ['worker-died', null]);
    const [worker, diedError] = await died;
    assert.equal((worker as MediaWorkerHandle).index, 0);
    assert.equal(diedError.workerIndex, 0);
    assert.equal(leg.closed, true);
    assert.equal(other.closed, true);
    await assert.rejects(leg.stats(), LegClosedError);
    assert.equal(await leg.close(), null);
    assert.equal(host.legs.size, 0);

    // A new worker took its place; media works again.
    assert.notEqual(host.workers[0], dead);
    await host.workers[0]!.ready;
    const a = await host.createLeg();
    const b = await host.createLeg({ remote: a.local });
    await a.setRemote(b.local);
    await b.captureStart(2000);
    await a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 400 });
    await delay(150);
    const pcm = trimSilence(await b.captureStop());
    assert.ok(Math.abs(dbRelativeTo(powerAt(pcm, 1000), -10)) < 0.5);
    await Promise.all([a.close(), b.close()]);
  });
});

function quietLogger() {
  const noop = (): void => undefined;
  return { warn: noop, error: noop };
}
