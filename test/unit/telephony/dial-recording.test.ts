/** Which recorder mode a `<Dial record>` asks of the media worker (Twilio's channel layout, recordingTrack). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialRecordMode } from '../../../src/telephony/dial-recording.js';

describe('dialRecordMode', () => {
  it('both tracks: two channels (caller, callee) when dual, mixed when mono; one track is always one channel', () => {
    assert.equal(dialRecordMode({ track: 'both', channels: 'dual' }), 'dual');
    assert.equal(dialRecordMode({ track: 'both', channels: 'mono' }), 'mixed');
    assert.equal(dialRecordMode({ track: 'inbound', channels: 'mono' }), 'inbound');
    assert.equal(dialRecordMode({ track: 'outbound', channels: 'dual' }), 'inbound', "the callee's leg receives what the caller hears");
  });
});
