import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answerDirection, bumpSdpVersion, sdpDirection, withSdpDirection } from '../../../../src/sip/ua/sdp-direction.js';

const SDP = ['v=0', 'o=a 1 41 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

describe('SDP direction helpers', () => {
  it('reads the audio section direction, then the session one, default sendrecv', () => {
    assert.equal(sdpDirection(SDP), 'sendrecv');
    assert.equal(sdpDirection(SDP + 'a=sendonly\r\n'), 'sendonly');
    assert.equal(sdpDirection(SDP.replace('t=0 0', 't=0 0\r\na=inactive')), 'inactive');
    const video = SDP.replace('m=audio', 'm=video 5000 RTP/AVP 96\r\na=recvonly\r\nm=audio');
    assert.equal(sdpDirection(video), 'sendrecv', 'the audio section, not the first');
    assert.equal(sdpDirection('hello'), undefined);
  });

  it('sets the direction in every media section, keeping CRLF', () => {
    const held = withSdpDirection(SDP + 'a=sendrecv\r\n', 'sendonly');
    assert.equal(sdpDirection(held), 'sendonly');
    assert.equal(held.match(/a=(sendrecv|sendonly|recvonly|inactive)/g)?.length, 1);
    assert.ok(held.endsWith('a=sendonly\r\n'));
    assert.ok(!/[^\r]\n/.test(held));
    const two = withSdpDirection(SDP.replace('m=audio', 'm=video 5000 RTP/AVP 96\r\nm=audio'), 'inactive');
    assert.equal(two.match(/a=inactive/g)?.length, 2);
    assert.equal(withSdpDirection('not sdp', 'inactive'), 'not sdp');
  });

  it('answers per RFC 3264 §6.1', () => {
    assert.equal(answerDirection('sendonly'), 'recvonly');
    assert.equal(answerDirection('recvonly'), 'sendonly');
    assert.equal(answerDirection('inactive'), 'inactive');
    assert.equal(answerDirection('sendrecv'), 'sendrecv');
    assert.equal(answerDirection('sendrecv', 'sendonly'), 'sendonly', 'we hold: we only send');
    assert.equal(answerDirection('sendonly', 'sendonly'), 'inactive');
    assert.equal(answerDirection('sendrecv', 'inactive'), 'inactive');
  });

  it('increments the o= version (past 2^53 too)', () => {
    assert.match(bumpSdpVersion(SDP), /^o=a 1 42 IN IP4/m);
    assert.match(bumpSdpVersion(SDP.replace(' 41 ', ' 18446744073709551615 ')), / 18446744073709551616 /);
    assert.equal(bumpSdpVersion('v=0\r\n'), 'v=0\r\n');
  });
});
