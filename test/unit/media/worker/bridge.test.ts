import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bridge, type BridgeEnd, convertPayload, RX_FRAME, RX_LOST, RX_NONE } from '../../../../src/media/worker/bridge.js';
import { alawFromLinear, alawToLinear, ulawFromLinear, ulawToLinear } from '../../../../src/media/codec/g711.js';
import type { CodecName } from '../../../../src/media/codec/index.js';
import type { DtmfDigit } from '../../../../src/media/dtmf/digit.js';

class End implements BridgeEnd {
  readonly rxFrame = { state: RX_NONE, lostRun: 0, payload: new Uint8Array(160) };
  bridge: Bridge | null = null;
  relayed: string[] = [];
  constructor(
    readonly legId: string,
    readonly codecName: CodecName,
  ) {}
  attachBridge(bridge: Bridge | null): void {
    this.bridge = bridge;
  }
  relayDigit(digit: DtmfDigit, durationMs: number): void {
    this.relayed.push(`${digit}/${durationMs}`);
  }
}

describe('bridge', () => {
  it('converts µ-law to A-law and back through the linear value', () => {
    const src = new Uint8Array(256).map((_, i) => i);
    const alaw = new Uint8Array(256);
    convertPayload('PCMU', src, 'PCMA', alaw, 256);
    for (let i = 0; i < 256; i++) assert.equal(alaw[i], alawFromLinear(ulawToLinear(i)));
    const back = new Uint8Array(256);
    convertPayload('PCMA', src, 'PCMU', back, 256);
    for (let i = 0; i < 256; i++) assert.equal(back[i], ulawFromLinear(alawToLinear(i)));
    const same = new Uint8Array(256);
    convertPayload('PCMU', src, 'PCMU', same, 256);
    assert.deepEqual(same, src);
  });

  it('fills each side from the other: frame, one concealed repeat, then silence', () => {
    const a = new End('a', 'PCMU');
    const b = new End('b', 'PCMU');
    const bridge = new Bridge(a, b);
    assert.equal(a.bridge, bridge);
    const out = new Uint8Array(160);
    assert.equal(bridge.fill(b, out, 160), false, 'nothing received: the leg sends its own silence');
    a.rxFrame.payload.fill(0x42);
    a.rxFrame.state = RX_FRAME;
    assert.equal(bridge.fill(b, out, 160), true);
    assert.ok(out.every((x) => x === 0x42));
    a.rxFrame.state = RX_LOST;
    a.rxFrame.lostRun = 1;
    out.fill(0);
    assert.equal(bridge.fill(b, out, 160), true);
    assert.ok(out.every((x) => x === 0x42), 'first loss repeats the last frame');
    a.rxFrame.lostRun = 2;
    assert.equal(bridge.fill(b, out, 160), true);
    assert.ok(out.every((x) => x === 0xff), 'then µ-law silence');
  });

  it('relays RFC 4733 and INFO digits, not in-band ones, and detaches both ends', () => {
    const a = new End('a', 'PCMU');
    const b = new End('b', 'PCMA');
    const bridge = new Bridge(a, b);
    bridge.onDigit(a, '5', 'rfc4733', 120);
    bridge.onDigit(b, '#', 'info', 100);
    bridge.onDigit(a, '1', 'inband', 100);
    assert.deepEqual(b.relayed, ['5/120']);
    assert.deepEqual(a.relayed, ['#/100']);
    assert.match(bridge.describe(), /PCMU<->PCMA/);
    bridge.detach();
    assert.equal(a.bridge, null);
    assert.equal(b.bridge, null);
    bridge.onDigit(a, '6', 'rfc4733', 100);
    assert.deepEqual(b.relayed, ['5/120']);
  });
});
