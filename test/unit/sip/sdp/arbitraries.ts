/**
 * fast-check generators for session descriptions. Everything generated is canonical (what
 * `parseSdp` itself would produce), so `parseSdp(writeSdp(d))` must give `d` back.
 */
import fc from 'fast-check';
import {
  type AudioSection,
  type ConnectionAddress,
  type MediaDirection,
  type OtherSection,
  type RtpFormat,
  type SessionDescription,
  audioSection,
} from '../../../../src/sip/sdp/index.js';

/** fc.record with ordinary objects (deepStrictEqual compares prototypes). */
const rec = <T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;

const chars = (s: string): fc.Arbitrary<string> => fc.constantFrom(...s.split(''));
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const str = (set: string, minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: chars(set), minLength, maxLength });

/** Optional property: present or absent, never `undefined`-valued. */
function opt<K extends string, V>(key: K, arb: fc.Arbitrary<V>): fc.Arbitrary<{ [P in K]?: V }> {
  return fc.option(arb, { nil: undefined }).map((v) => (v === undefined ? {} : ({ [key]: v } as { [P in K]?: V })));
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.ipV6();
const hostname = fc
  .array(str('abcdefghijklmnopqrstuvwxyz0123456789-', 1, 8), { minLength: 1, maxLength: 3 })
  .map((labels) => labels.join('.'));

export const connectionArb: fc.Arbitrary<ConnectionAddress> = fc.oneof(
  rec<ConnectionAddress>({ addressType: fc.constant('IP4'), address: fc.oneof(ipv4, hostname) }),
  rec<ConnectionAddress>({ addressType: fc.constant('IP6'), address: ipv6 }),
);

export const directionArb: fc.Arbitrary<MediaDirection> = fc.constantFrom('sendrecv', 'sendonly', 'recvonly', 'inactive');

const STATIC: Readonly<Record<number, readonly [string, number]>> = {
  0: ['PCMU', 8000],
  3: ['GSM', 8000],
  4: ['G723', 8000],
  8: ['PCMA', 8000],
  9: ['G722', 8000],
  13: ['CN', 8000],
  18: ['G729', 8000],
};

const encodingArb = fc.oneof(
  fc.constantFrom('PCMU', 'PCMA', 'telephone-event', 'opus', 'G722', 'speex', 'L16', 'AMR-WB', 'red'),
  str(`${ALNUM}-.`, 1, 12),
);
const fmtpArb = fc.oneof(
  fc.constantFrom('0-15', '0-16', 'minptime=10;useinbandfec=1', 'stereo=1; sprop-stereo=1', '111/111', 'annexb=no'),
  fc
    .array(str(`${ALNUM}=;-/,.`, 1, 10), { minLength: 1, maxLength: 3 })
    .map((words) => words.join(' ')),
);

function formatArb(payloadType: number): fc.Arbitrary<RtpFormat> {
  const fixed = STATIC[payloadType];
  const rtpmap: fc.Arbitrary<Omit<RtpFormat, 'payloadType' | 'fmtp'>> = fc.oneof(
    // A static type may come without rtpmap: then the reader names it from RFC 3551.
    fixed === undefined ? fc.constant({}) : fc.constant({ encoding: fixed[0], clockRate: fixed[1] }),
    fc
      .tuple(encodingArb, fc.option(fc.integer({ min: 1, max: 192_000 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }))
      .map(([encoding, clockRate, channels]) => ({
        encoding,
        ...(clockRate === undefined ? {} : { clockRate }),
        ...(clockRate === undefined || channels === undefined ? {} : { channels }),
      })),
  );
  return fc
    .tuple(rtpmap, opt('fmtp', fmtpArb))
    .map(([map, fmtp]) => ({ payloadType, ...map, ...fmtp }));
}

const formatsArb: fc.Arbitrary<RtpFormat[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 127 }), { minLength: 1, maxLength: 8 })
  .chain((pts) => fc.tuple(...pts.map(formatArb)));

const portArb = fc.integer({ min: 0, max: 65_535 });
const ptimeArb = fc.integer({ min: 1, max: 1000 });

function audioArb(position: number, withConnection: boolean): fc.Arbitrary<AudioSection> {
  return fc
    .record(
      {
        port: portArb,
        protocol: fc.constantFrom('RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'UDP/TLS/RTP/SAVPF'),
        formats: formatsArb,
        direction: directionArb,
        connection: withConnection ? connectionArb : fc.constant(undefined),
        ptime: fc.option(ptimeArb, { nil: undefined }),
        maxptime: fc.option(ptimeArb, { nil: undefined }),
        rtcpMux: fc.boolean(),
        rtcp: fc.option(
          fc.tuple(portArb, fc.option(connectionArb, { nil: undefined })).map(([port, connection]) =>
            connection === undefined ? { port } : { port, connection },
          ),
          { nil: undefined },
        ),
      },
      { noNullPrototype: true },
    )
    .map((a) =>
      audioSection({
        position,
        port: a.port,
        protocol: a.protocol,
        formats: a.formats,
        direction: a.direction,
        ...(a.connection === undefined ? {} : { connection: a.connection }),
        ...(a.ptime === undefined ? {} : { ptime: a.ptime }),
        ...(a.maxptime === undefined ? {} : { maxptime: a.maxptime }),
        rtcpMux: a.rtcpMux,
        ...(a.rtcp === undefined ? {} : { rtcp: a.rtcp }),
      }),
    );
}

function otherArb(position: number): fc.Arbitrary<OtherSection> {
  return fc
    .tuple(
      fc.constantFrom('video', 'image', 'application', 'text', 'message'),
      portArb,
      fc.constantFrom('RTP/AVP', 'udptl', 'UDP/DTLS/SCTP', 'TCP/MSRP', 'RTP/SAVPF'),
      fc.array(str(ALNUM, 1, 8), { maxLength: 4 }),
      fc.option(connectionArb, { nil: undefined }),
    )
    .map(([type, port, protocol, formats, connection]) => ({
      position,
      type,
      port,
      protocol,
      formats,
      ...(connection === undefined ? {} : { connection }),
    }));
}

const sessionNameArb = fc.oneof(
  fc.constantFrom('-', 'Talk', 'FreeSWITCH', 'Twilio Media Gateway', 'Dialtone'),
  fc
    .array(str(`${ALNUM}-_.!@#`, 1, 8), { minLength: 1, maxLength: 3 })
    .map((w) => w.join(' ')),
);

export const sessionDescriptionArb: fc.Arbitrary<SessionDescription> = fc
  .record(
    {
      others: fc.integer({ min: 0, max: 3 }),
      sessionConnection: fc.option(connectionArb, { nil: undefined }),
      audioConnection: fc.boolean(),
    },
    { noNullPrototype: true },
  )
  .chain(({ others, sessionConnection, audioConnection }) =>
    fc.integer({ min: 0, max: others }).chain((audioPosition) => {
      const otherPositions = Array.from({ length: others + 1 }, (_, i) => i).filter((i) => i !== audioPosition);
      return fc
        .record(
          {
            origin: rec({
              username: fc.oneof(fc.constant('-'), str(`${ALNUM}-_.`, 1, 12)),
              sessionId: fc.oneof(fc.bigInt(0n, 2n ** 64n - 1n).map(String), str('0123456789', 1, 20)),
              sessionVersion: fc.bigInt(0n, 2n ** 64n - 1n),
              addressType: fc.constant<'IP4'>('IP4'),
              address: fc.oneof(ipv4, hostname),
            }),
            sessionName: sessionNameArb,
            audio: audioArb(audioPosition, audioConnection || sessionConnection === undefined),
            otherMedia: fc.tuple(...otherPositions.map(otherArb)),
          },
          { noNullPrototype: true },
        )
        .map((d): SessionDescription => (sessionConnection === undefined ? d : { ...d, connection: sessionConnection }));
    }),
  );
