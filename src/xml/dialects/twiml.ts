/**
 * The TwiML family as one table: Twilio TwiML, SignalWire cXML (LaML), Telnyx TeXML and
 * Commio cXML. Element names are case-sensitive. Defaults are Twilio's; `platforms` says
 * where an element or attribute exists when that is not all four, and `advice` what to
 * use instead on a platform that renames or replaces it.
 *
 * Sources: ../shared/reference/dialects.md §2–§4 (Twilio names and nesting as in
 * twilio-node src/twiml, defaults from Twilio's docs), seed 002 (TeXML attribute tables),
 * seed 001 (SignalWire verb list). Commio publishes no cXML reference: it is taken as the
 * Twilio core subset (matrix ✓ or [inferred]), and at attribute level as what Twilio and
 * SignalWire both have.
 */
import type { AttrSpec, DialectSpec, ElementTable, Platform } from '../spec.js';
import {
  BOOL_VALUE,
  DTMF_STRING,
  HTTP_METHOD,
  KEY_SET,
  ONE_KEY,
  POST_METHOD,
  TEXT_VALUE,
  UPLOAD_METHOD,
  URL_VALUE,
} from './shared-values.js';

const TWILIO = ['twilio'] as const;
const SIGNALWIRE = ['signalwire'] as const;
const TELNYX = ['telnyx'] as const;
const TWILIO_SIGNALWIRE = ['twilio', 'signalwire'] as const;
const TWILIO_TELNYX = ['twilio', 'telnyx'] as const;
/** Twilio, SignalWire and Telnyx: everything but Commio. */
const NOT_COMMIO = ['twilio', 'signalwire', 'telnyx'] as const;
/** Twilio, SignalWire and Commio: everything but Telnyx. */
const NOT_TELNYX = ['twilio', 'signalwire', 'commio'] as const;

const CALL_EVENTS = { type: 'list', values: ['initiated', 'ringing', 'answered', 'completed'] } as const;
const RECORDING_EVENTS = { type: 'list', values: ['in-progress', 'completed', 'absent'] } as const;
const TRIM = { type: 'enum', values: ['trim-silence', 'do-not-trim'] } as const;
const FORK_TRACK = { type: 'enum', values: ['inbound_track', 'outbound_track', 'both_tracks'] } as const;
const DIAL_RECORD_VALUES = [
  'do-not-record',
  'record-from-answer',
  'record-from-ringing',
  'record-from-answer-dual',
  'record-from-ringing-dual',
] as const;
/** Legacy `record="true|false"` on `<Dial>` and `<Conversation>`. */
const DIAL_RECORD_ALIASES = { true: 'record-from-answer', false: 'do-not-record' } as const;
const CARD_TYPES = ['visa', 'mastercard', 'amex', 'maestro', 'discover', 'optima', 'jcb', 'diners-club', 'enroute'] as const;
/** A BCP-47-like language tag (`en-US`, `arb`, `en-GB-WLS`); the voices and languages are too many to list. */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Answering-machine detection on an outgoing leg; where it exists differs per element. */
function machineDetection<P extends readonly Platform[]>(platforms: P) {
  return {
    machineDetection: {
      type: 'enum',
      values: ['Enable', 'DetectMessageEnd', 'Disable'],
      platforms,
      doc: 'Answering-machine detection on this leg; Disable is TeXML only.',
    },
    machineDetectionTimeout: { type: 'int', min: 3, max: 60, default: 30, platforms, doc: 'Seconds to wait for a detection result.' },
    machineDetectionSpeechThreshold: { type: 'int', min: 0, default: 2400, platforms, doc: 'Milliseconds of speech that mean a machine.' },
    machineDetectionSpeechEndThreshold: { type: 'int', min: 0, default: 1200, platforms, doc: 'Milliseconds of silence that end speech.' },
    machineDetectionSilenceTimeout: { type: 'int', min: 0, default: 5000, platforms, doc: 'Milliseconds of initial silence before giving up.' },
    amdStatusCallback: { ...URL_VALUE, platforms, doc: 'Receives the detection result asynchronously.' },
    amdStatusCallbackMethod: { ...POST_METHOD, platforms },
  } as const;
}

const SSML_INLINE = ['break', 'emphasis', 'lang', 'phoneme', 'prosody', 'say-as', 'sub', 'w'] as const;
const SSML_ALL = ['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w'] as const;
/** SSML is documented for Twilio, SignalWire and TeXML; Commio's `<Say>` is inferred, SSML unknown. */
const SSML_PLATFORMS = NOT_COMMIO;

/** Attributes <ConversationRelay> and <Assistant> share: the voice agent's speech settings. */
const VOICE_AGENT_ATTRS = {
  welcomeGreeting: { ...TEXT_VALUE },
  welcomeGreetingInterruptible: { ...TEXT_VALUE, doc: 'any, none, dtmf, speech (or true/false).' },
  language: { ...TEXT_VALUE },
  ttsLanguage: { ...TEXT_VALUE },
  ttsProvider: { ...TEXT_VALUE },
  voice: { ...TEXT_VALUE },
  transcriptionLanguage: { ...TEXT_VALUE },
  transcriptionProvider: { ...TEXT_VALUE },
  speechModel: { ...TEXT_VALUE },
  interruptible: { ...TEXT_VALUE, doc: 'any, none, dtmf, speech (or true/false).' },
  interruptSensitivity: { ...TEXT_VALUE },
  dtmfDetection: { ...BOOL_VALUE },
  profanityFilter: { ...BOOL_VALUE },
  partialPrompts: { ...BOOL_VALUE },
  preemptible: { ...BOOL_VALUE },
  reportInputDuringAgentSpeech: { ...BOOL_VALUE },
  hints: { ...TEXT_VALUE },
  debug: { ...TEXT_VALUE },
  intelligenceService: { ...TEXT_VALUE },
  elevenlabsTextNormalization: { ...TEXT_VALUE },
} as const satisfies Readonly<Record<string, AttrSpec>>;

export const twimlElements = {
  Response: {
    attrs: {},
    children: [
      'Connect',
      'Denoise',
      'Dial',
      'Echo',
      'Enqueue',
      'Gather',
      'Hangup',
      'Leave',
      'Pause',
      'Pay',
      'Play',
      'Record',
      'Redirect',
      'Refer',
      'Reject',
      'Say',
      'Sms',
      'Start',
      'Stop',
      'HttpRequest',
      'AIGather',
      'Message',
    ],
    doc: 'The root of every voice and messaging document; verbs run top to bottom, and the end of a voice document hangs up.',
  },

  // ── Speech, audio, silence ───────────────────────────────────────────────────────
  Say: {
    kind: 'voice',
    attrs: {
      voice: {
        type: 'string',
        default: 'man',
        detail: 13511,
        doc: 'TTS voice: man, woman, alice, Polly.<Name>[-Neural], Google.<lang>-<model>-<X>…; SignalWire defaults to woman, and an account may set its own default.',
      },
      language: {
        type: 'string',
        pattern: LANGUAGE_TAG,
        default: 'en-US',
        doc: 'BCP-47 language of the text; the legacy voices support subsets.',
      },
      loop: {
        type: 'int',
        min: 0,
        default: 1,
        detail: 13510,
        doc: 'Times to speak the text; 0 repeats until the call ends (Twilio caps at 1000).',
      },
      voiceSpeed: { type: 'number', min: 0, platforms: TELNYX, doc: 'TeXML speaking rate.' },
    },
    text: { type: 'string', maxLength: 4096, requiredUnless: 'children', detail: 13520 },
    mixed: true,
    children: SSML_ALL,
    doc: 'Speaks text with text-to-speech; SSML tags may be interleaved with the text (empty text: Twilio 13520).',
  },
  Play: {
    kind: 'voice',
    attrs: {
      loop: {
        type: 'int',
        min: 0,
        default: 1,
        detail: 13410,
        doc: 'Times to play; 0 repeats until the call ends (Twilio caps at 1000).',
      },
      digits: {
        type: 'string',
        pattern: DTMF_STRING,
        detail: 13430,
        doc: 'DTMF to send instead of audio; w pauses 0.5 s, W 1 s. Not allowed inside <Gather>.',
      },
      mediaStorage: { ...TEXT_VALUE, platforms: TELNYX, doc: 'TeXML: where the media is stored (attribute seen in Telnyx docs, values not retrieved).' },
      failoverUrl: { ...URL_VALUE, platforms: TELNYX, doc: 'TeXML: audio played when the main URL fails.' },
      continueOnError: { ...BOOL_VALUE, platforms: TELNYX, doc: 'TeXML: continue with the next verb when the audio cannot be played.' },
      ringTone: { ...TEXT_VALUE, platforms: TELNYX, doc: 'TeXML: a ring tone to play (values not retrieved).' },
    },
    text: { type: 'url', requiredUnless: 'digits' },
    doc: 'Plays an audio file (absolute or relative URL) or, with digits, sends DTMF.',
  },
  Pause: {
    kind: 'voice',
    attrs: {
      length: {
        type: 'int',
        min: 1,
        default: 1,
        detail: 13910,
        doc: 'Seconds of silence (TeXML 1–180). As the first verb it delays answering the call.',
      },
    },
    doc: 'Waits silently.',
  },

  // ── Input ────────────────────────────────────────────────────────────────────────
  Gather: {
    kind: 'voice',
    attrs: {
      action: { ...URL_VALUE, doc: 'Receives Digits/SpeechResult; default: the current document URL. No input falls through to the next verb.' },
      method: {
        ...POST_METHOD,
        detail: 13312,
        platforms: NOT_TELNYX,
        advice: { telnyx: "TeXML requests action with the application's own method" },
      },
      timeout: {
        type: 'int',
        min: 1,
        default: 5,
        detail: 13313,
        doc: 'Seconds to wait after the prompts end and between digits (TeXML 1–120).',
      },
      finishOnKey: {
        type: 'string',
        pattern: ONE_KEY,
        default: '#',
        detail: 13310,
        doc: 'Key that ends input (not included in Digits); empty disables it.',
      },
      numDigits: { type: 'int', min: 1, detail: 13314, doc: 'Digits to collect; unlimited when absent.' },
      input: { type: 'list', values: ['dtmf', 'speech'], default: ['dtmf'], detail: 13326 },
      speechTimeout: {
        type: 'int',
        min: 1,
        also: ['auto'],
        detail: 13327,
        doc: 'Seconds of silence that end speech, or auto; defaults to the timeout value.',
      },
      maxSpeechTime: { type: 'int', min: 1, default: 60, detail: 13328, platforms: TWILIO },
      language: {
        type: 'string',
        pattern: LANGUAGE_TAG,
        default: 'en-US',
        detail: 13512,
        doc: 'Speech-recognition language (Twilio lists 130; 13331 in older dictionaries).',
      },
      hints: { ...TEXT_VALUE, detail: 13330, doc: 'Comma-separated phrases (≤500) or class tokens that bias recognition.' },
      profanityFilter: { ...BOOL_VALUE, default: true, detail: 13333 },
      speechModel: {
        ...TEXT_VALUE,
        default: 'default',
        detail: 13334,
        doc: 'Recognition model: default, numbers_and_commands, phone_call, experimental_*, googlev2_*, deepgram_*…',
      },
      enhanced: {
        ...BOOL_VALUE,
        default: false,
        platforms: NOT_TELNYX,
        advice: { telnyx: 'TeXML calls this useEnhanced' },
        doc: 'Premium speech model (deprecated by Twilio).',
      },
      partialResultCallback: { ...URL_VALUE, doc: 'Receives interim speech results; its responses are ignored.' },
      partialResultCallbackMethod: { ...POST_METHOD, detail: 13329 },
      actionOnEmptyResult: {
        ...BOOL_VALUE,
        default: false,
        detail: 13338,
        platforms: NOT_TELNYX,
        doc: 'Request action even when nothing was entered.',
      },
      bargeIn: { ...BOOL_VALUE, default: true, detail: 13332, platforms: TWILIO, doc: 'Caller input stops the nested prompts.' },
      debug: { ...BOOL_VALUE, default: false, platforms: TWILIO },
      minDigits: { type: 'int', min: 1, max: 128, default: 1, platforms: TELNYX },
      maxDigits: { type: 'int', min: 1, max: 128, default: 128, platforms: TELNYX },
      validDigits: { type: 'string', pattern: KEY_SET, platforms: TELNYX, doc: 'TeXML: keys accepted as input.' },
      invalidDigitsAction: { ...URL_VALUE, platforms: TELNYX, doc: 'TeXML: requested when a key outside validDigits is pressed.' },
      transcriptionEngine: { ...TEXT_VALUE, platforms: TELNYX, doc: 'TeXML speech engine: Google, Telnyx, Azure, Deepgram…' },
      model: { ...TEXT_VALUE, platforms: TELNYX, doc: 'TeXML: model of the transcription engine.' },
      useEnhanced: {
        ...BOOL_VALUE,
        platforms: TELNYX,
        advice: { twilio: 'Twilio calls this enhanced', signalwire: 'SignalWire calls this enhanced' },
      },
      keyterms: { ...TEXT_VALUE, platforms: TELNYX },
      smartFormat: { ...BOOL_VALUE, platforms: TELNYX },
      apiKeyRef: { ...TEXT_VALUE, platforms: TELNYX, doc: 'TeXML: integration secret for the speech engine (Azure).' },
    },
    children: ['Say', 'Play', 'Pause'],
    nestingDetail: 13320,
    doc: 'Collects DTMF and/or speech while playing its nested prompts.',
  },

  // ── Dial and its nouns ───────────────────────────────────────────────────────────
  Dial: {
    kind: 'voice',
    attrs: {
      action: { ...URL_VALUE, doc: 'Requested when the dialled call ends; without it the next verb runs.' },
      method: { ...POST_METHOD, detail: 13210 },
      timeout: {
        type: 'int',
        min: 5,
        max: 600,
        default: 30,
        detail: 13212,
        doc: 'Seconds to ring (TeXML 5–120).',
      },
      timeLimit: {
        type: 'int',
        min: 1,
        max: 86400,
        default: 14400,
        detail: 13216,
        doc: 'Longest bridged call in seconds (TeXML 60–14400).',
      },
      callerId: { ...TEXT_VALUE, detail: 13214, doc: "Caller ID of the new leg; default: the caller's From. client:<id> for <Client>." },
      callerName: {
        ...TEXT_VALUE,
        platforms: SIGNALWIRE,
        advice: { telnyx: 'TeXML calls this fromDisplayName' },
        doc: 'CNAM shown to the called party.',
      },
      fromDisplayName: {
        ...TEXT_VALUE,
        platforms: TELNYX,
        advice: { signalwire: 'SignalWire calls this callerName' },
        doc: 'Display name shown to the called party.',
      },
      answerOnBridge: {
        ...BOOL_VALUE,
        default: false,
        detail: 13219,
        doc: 'Keep the inbound leg unanswered (ringing, early media) until the callee answers.',
      },
      hangupOnStar: { ...BOOL_VALUE, default: false, detail: 13213, doc: "The caller's * drops the callee and continues the caller's document." },
      record: {
        type: 'enum',
        values: DIAL_RECORD_VALUES,
        aliases: DIAL_RECORD_ALIASES,
        default: 'do-not-record',
        detail: 13217,
      },
      trim: { ...TRIM, default: 'do-not-trim' },
      recordingStatusCallback: { ...URL_VALUE, detail: 13256 },
      recordingStatusCallbackMethod: { ...POST_METHOD },
      recordingStatusCallbackEvent: {
        ...RECORDING_EVENTS,
        default: ['completed'],
        doc: 'TeXML defaults to "in-progress completed".',
      },
      recordingTrack: { type: 'enum', values: ['both', 'inbound', 'outbound'], default: 'both', platforms: NOT_TELNYX },
      recordingStorageUrl: { ...URL_VALUE, platforms: SIGNALWIRE, doc: 'SignalWire uploads the recording here.' },
      recordingStorageUrlMethod: { ...UPLOAD_METHOD, platforms: SIGNALWIRE },
      recordingConfigurationId: { ...TEXT_VALUE, platforms: TWILIO },
      ringTone: {
        type: 'enum',
        values: [
          'at', 'au', 'bg', 'br', 'be', 'ch', 'cl', 'cn', 'cz', 'de', 'dk', 'ee', 'es', 'fi', 'fr', 'gr', 'hu', 'il', 'in', 'it',
          'lt', 'jp', 'mx', 'my', 'nl', 'no', 'nz', 'ph', 'pl', 'pt', 'ru', 'se', 'sg', 'th', 'uk', 'us', 'us-old', 'tw', 've', 'za',
        ],
        detail: 13220,
        doc: "Country ringback played while dialling; default: the carrier's ringback (TeXML: us).",
      },
      events: { type: 'enum', values: ['call-progress-event'], platforms: TWILIO },
      referUrl: { ...URL_VALUE, platforms: TWILIO, doc: 'Document run when the callee sends SIP REFER (13802 without it).' },
      referMethod: { ...POST_METHOD, platforms: TWILIO },
      sequential: {
        ...BOOL_VALUE,
        default: false,
        detail: 13218,
        platforms: TWILIO_TELNYX,
        doc: 'Ring the nouns one after another instead of all at once.',
      },
      callReason: { ...TEXT_VALUE, platforms: TWILIO, doc: 'Branded-calling reason.' },
      recordingChannels: {
        type: 'enum',
        values: ['single', 'dual'],
        platforms: TELNYX,
        advice: { twilio: 'Twilio records two channels with record="record-from-answer-dual"' },
      },
      recordMaxLength: { type: 'int', min: 0, platforms: TELNYX },
      sendRecordingUrl: { ...BOOL_VALUE, platforms: TELNYX },
      audioUrl: { ...URL_VALUE, platforms: TELNYX, doc: 'TeXML: audio played to the caller while dialling.' },
      passDiversionHeader: { ...BOOL_VALUE, platforms: TELNYX },
      // TeXML also detects machines on <Dial> itself; its defaults there are not documented.
      machineDetection: { type: 'enum', values: ['Enable', 'DetectMessageEnd', 'Disable'], platforms: TELNYX },
      machineDetectionTimeout: { type: 'int', min: 3, max: 60, platforms: TELNYX },
      machineDetectionSpeechThreshold: { type: 'int', min: 0, platforms: TELNYX },
      machineDetectionSpeechEndThreshold: { type: 'int', min: 0, platforms: TELNYX },
      machineDetectionSilenceTimeout: { type: 'int', min: 0, platforms: TELNYX },
      amdStatusCallback: { ...URL_VALUE, platforms: TELNYX },
      amdStatusCallbackMethod: { ...HTTP_METHOD, platforms: TELNYX },
      detectionMode: { ...TEXT_VALUE, platforms: TELNYX },
    },
    text: { type: 'string', requiredUnless: 'children' },
    children: ['Number', 'Client', 'Sip', 'Conference', 'Queue', 'Sim', 'Application', 'WhatsApp', 'Verto'],
    nestingDetail: 13215,
    maxChildren: 10,
    doc: 'Bridges the call to a number or SIP URI (text) or to up to 10 nouns rung at once; a Conference noun cannot be mixed with Number nouns (13000).',
  },
  Number: {
    attrs: {
      sendDigits: { type: 'string', pattern: DTMF_STRING, detail: 13222, doc: 'DTMF sent after answer; w pauses 0.5 s.' },
      url: {
        ...URL_VALUE,
        doc: 'Whisper document run on the callee leg before bridging (Say, Play, Gather, Hangup; never Dial: 13201).',
      },
      method: { ...POST_METHOD, detail: 13221 },
      statusCallbackEvent: {
        type: 'list',
        values: ['initiated', 'ringing', 'answered', 'completed', 'amd', 'dtmf'],
        default: ['completed'],
        doc: 'amd and dtmf are TeXML only.',
      },
      statusCallback: { ...URL_VALUE, doc: 'Call status callbacks of this leg.' },
      statusCallbackMethod: { ...POST_METHOD },
      byoc: { ...TEXT_VALUE, platforms: TWILIO, doc: 'BYOC trunk SID.' },
      ...machineDetection(TWILIO_TELNYX),
      detectionMode: { ...TEXT_VALUE, platforms: TELNYX },
      sipRegion: { ...TEXT_VALUE, platforms: TELNYX },
    },
    text: { type: 'string', required: true },
    doc: 'A phone number to dial.',
  },
  Client: {
    platforms: TWILIO,
    advice: { signalwire: 'SignalWire dials its WebRTC clients with <Verto> or <Sip>' },
    attrs: {
      url: { ...URL_VALUE, doc: 'Whisper document run on the client leg before bridging.' },
      method: { ...POST_METHOD },
      statusCallbackEvent: { ...CALL_EVENTS, default: ['completed'] },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
      clientNotificationUrl: { ...URL_VALUE, doc: 'Push-notification endpoint (13806, 13807).' },
    },
    text: { type: 'string', requiredUnless: 'children' },
    children: ['Identity', 'Parameter'],
    doc: 'A Voice SDK client: legacy text identity, or <Identity> with custom <Parameter>s.',
  },
  Identity: {
    platforms: TWILIO,
    attrs: {},
    text: { type: 'string', pattern: /^[A-Za-z0-9_]+$/, maxLength: 256, required: true },
    doc: 'The identity of a Voice SDK client (letters, digits, underscore).',
  },
  Sip: {
    platforms: NOT_COMMIO,
    attrs: {
      username: { ...TEXT_VALUE, platforms: TWILIO_SIGNALWIRE, doc: 'Digest user name.' },
      password: { ...TEXT_VALUE, platforms: TWILIO_SIGNALWIRE, doc: 'Digest password.' },
      url: { ...URL_VALUE, doc: 'Whisper document run on the SIP leg before bridging.' },
      method: { ...POST_METHOD, detail: 13241 },
      statusCallbackEvent: { ...CALL_EVENTS, default: ['completed'] },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
      ...machineDetection(TWILIO),
      codecs: { ...TEXT_VALUE, default: 'PCMU,PCMA', platforms: SIGNALWIRE, doc: 'Comma-separated codec list offered.' },
      sessionTimeout: { type: 'int', min: 0, platforms: SIGNALWIRE },
    },
    text: { type: 'string', pattern: /^sips?:/i, maxLength: 255, required: true },
    children: ['Headers', 'Uri'],
    doc: 'A SIP URI (sip:user@host[;transport=…][?X-Header=value]) to dial, or the Refer-To target inside <Refer>.',
  },
  Headers: {
    platforms: TWILIO,
    attrs: {},
    children: ['Header'],
    doc: 'Custom SIP headers for the INVITE (X- headers and a few named ones; ≤1024 chars in all).',
  },
  Header: {
    platforms: TWILIO,
    attrs: { name: { ...TEXT_VALUE, required: true }, value: { ...TEXT_VALUE, required: true } },
    doc: 'One custom SIP header.',
  },
  Uri: {
    platforms: TWILIO,
    attrs: {
      username: { ...TEXT_VALUE },
      password: { ...TEXT_VALUE },
      priority: { type: 'int', min: 0 },
      weight: { type: 'int', min: 0 },
    },
    text: { type: 'string', pattern: /^sips?:/i, required: true },
    doc: 'A failover SIP URI with its own credentials, priority and weight.',
  },
  Conference: {
    platforms: NOT_COMMIO,
    attrs: {
      muted: { ...BOOL_VALUE, default: false, detail: 13230 },
      beep: { type: 'enum', values: ['true', 'false', 'onEnter', 'onExit'], default: 'true', detail: 13235 },
      startConferenceOnEnter: { ...BOOL_VALUE, default: true, detail: 13232 },
      endConferenceOnExit: { ...BOOL_VALUE, default: false, detail: 13231 },
      waitUrl: {
        type: 'string',
        pattern: /^\S*$/,
        default: 'http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical',
        detail: 13233,
        doc: 'URL of hold audio or of a document of Play/Say/Pause/Redirect (13238); empty for silence.',
      },
      waitMethod: { ...POST_METHOD, detail: 13234 },
      maxParticipants: { type: 'int', min: 2, max: 250, default: 250 },
      record: { type: 'enum', values: ['do-not-record', 'record-from-start'], default: 'do-not-record' },
      region: {
        type: 'enum',
        values: ['us1', 'us2', 'ie1', 'sg1', 'br1', 'au1', 'jp1', 'de1'],
        platforms: TWILIO,
        doc: "Media region; default: the first participant's.",
      },
      trim: { ...TRIM, default: 'trim-silence', detail: 13239, doc: 'TeXML defaults to do-not-trim.' },
      coach: { ...TEXT_VALUE, detail: 13240, platforms: TWILIO, doc: 'CallSid of the participant this one coaches.' },
      participantLabel: { type: 'string', maxLength: 128, platforms: TWILIO },
      jitterBufferSize: { type: 'enum', values: ['small', 'medium', 'large', 'off'], default: 'large', platforms: TWILIO },
      statusCallbackEvent: {
        type: 'list',
        values: ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'],
      },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
      recordingStatusCallback: { ...URL_VALUE },
      recordingStatusCallbackMethod: { ...POST_METHOD },
      recordingStatusCallbackEvent: {
        type: 'list',
        values: ['in-progress', 'completed', 'absent', 'failed'],
        default: ['completed'],
        doc: 'failed is SignalWire only (its default is "completed failed").',
      },
      eventCallbackUrl: { ...URL_VALUE, platforms: TWILIO_SIGNALWIRE, doc: 'Deprecated; receives conference-record-end.' },
      recordingConfigurationId: { ...TEXT_VALUE, platforms: TWILIO },
      streamUrl: { ...URL_VALUE, platforms: SIGNALWIRE, doc: 'SignalWire: stream the conference audio to this wss URL.' },
      streamSslValidateCertificate: { ...BOOL_VALUE, default: false, platforms: SIGNALWIRE },
      streamStartConferenceOnEnter: { ...BOOL_VALUE, platforms: SIGNALWIRE },
      recordBeep: { ...BOOL_VALUE, platforms: TELNYX },
      recordingTimeout: { type: 'int', min: 0, platforms: TELNYX },
      sendRecordingUrl: { ...BOOL_VALUE, platforms: TELNYX },
    },
    text: { type: 'string', required: true },
    children: ['Stream'],
    doc: 'A named conference room (per account); created on the first join. SignalWire allows a nested <Stream>.',
  },
  Queue: {
    platforms: NOT_COMMIO,
    attrs: {
      url: { ...URL_VALUE, detail: 14211, doc: 'Document run on the dequeued caller before bridging (Play, Say, Pause, Redirect).' },
      method: { ...POST_METHOD, detail: 14210 },
      reservationSid: { ...TEXT_VALUE, detail: 14215, platforms: TWILIO },
      postWorkActivitySid: { ...TEXT_VALUE, platforms: TWILIO },
    },
    text: { type: 'string', maxLength: 64, required: true },
    doc: 'Dequeues the call at the head of the named queue and bridges it.',
  },
  Sim: {
    platforms: TWILIO,
    attrs: {},
    text: { type: 'string', required: true },
    doc: 'A Programmable Wireless SIM (its SID) to dial.',
  },
  Application: {
    platforms: TWILIO,
    attrs: {
      url: { ...URL_VALUE },
      method: { ...POST_METHOD },
      statusCallback: { ...URL_VALUE },
      statusCallbackEvent: { ...CALL_EVENTS, default: ['completed'] },
      statusCallbackMethod: { ...POST_METHOD },
      customerId: { ...TEXT_VALUE },
      copyParentTo: { ...BOOL_VALUE },
    },
    // Optional: twilio-node writes the SID as text and may add <Parameter> children beside it.
    text: { type: 'string', pattern: /^AP[0-9a-fA-F]{32}$/ },
    children: ['ApplicationSid', 'Parameter'],
    doc: 'Dials another TwiML application (its SID as text or in <ApplicationSid>).',
  },
  ApplicationSid: {
    platforms: TWILIO,
    attrs: {},
    text: { type: 'string', pattern: /^AP[0-9a-fA-F]{32}$/, required: true },
    doc: 'The SID of the application to dial.',
  },
  WhatsApp: {
    platforms: TWILIO,
    attrs: {
      url: { ...URL_VALUE },
      method: { ...POST_METHOD },
      statusCallbackEvent: { ...CALL_EVENTS, default: ['completed'] },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
    },
    text: { type: 'string', required: true },
    doc: 'A WhatsApp voice user (E.164) to dial.',
  },
  Verto: {
    platforms: SIGNALWIRE,
    advice: { twilio: 'Twilio dials Voice SDK clients with <Client>' },
    attrs: {
      url: { ...URL_VALUE },
      method: { ...POST_METHOD },
      statusCallbackEvent: { ...CALL_EVENTS, default: ['completed'] },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
    },
    text: { type: 'string', required: true },
    doc: 'A SignalWire Verto (WebRTC) endpoint to dial.',
  },

  // ── Recording ────────────────────────────────────────────────────────────────────
  Record: {
    kind: 'voice',
    attrs: {
      action: { ...URL_VALUE, doc: 'Always requested when recording ends; default: the current document URL.' },
      method: { ...POST_METHOD, detail: 13610 },
      timeout: {
        type: 'int',
        min: 0,
        default: 5,
        detail: 13611,
        doc: 'Seconds of silence that end the recording; 0 disables (TeXML defaults to 0).',
      },
      finishOnKey: {
        type: 'string',
        pattern: KEY_SET,
        default: '1234567890*#',
        detail: 13613,
        doc: 'Any of these keys ends the recording; empty disables.',
      },
      maxLength: {
        type: 'int',
        min: 1,
        max: 14400,
        default: 3600,
        detail: 13612,
        doc: 'Longest recording in seconds; 120 with transcribe (13615).',
      },
      playBeep: { ...BOOL_VALUE, default: true, detail: 13616 },
      trim: { ...TRIM, default: 'trim-silence', detail: 13699 },
      recordingStatusCallback: { ...URL_VALUE },
      recordingStatusCallbackMethod: { ...POST_METHOD },
      recordingStatusCallbackEvent: {
        ...RECORDING_EVENTS,
        default: ['completed'],
        detail: 13621,
        doc: 'TeXML defaults to "in-progress completed".',
      },
      transcribe: {
        ...BOOL_VALUE,
        default: false,
        detail: 13614,
        platforms: NOT_TELNYX,
        advice: { telnyx: 'TeXML transcribes with the transcription attribute' },
        doc: 'English transcription of 2–120 s recordings, posted to transcribeCallback.',
      },
      transcribeCallback: { ...URL_VALUE },
      recordingConfigurationId: { ...TEXT_VALUE, platforms: TWILIO },
      storageUrl: { ...URL_VALUE, platforms: SIGNALWIRE, doc: 'SignalWire uploads the recording here.' },
      storageUrlMethod: { ...UPLOAD_METHOD, platforms: SIGNALWIRE },
      channels: { type: 'enum', values: ['single', 'dual'], platforms: TELNYX },
      fileFormat: { type: 'enum', values: ['mp3', 'wav'], platforms: TELNYX },
      transcription: {
        ...BOOL_VALUE,
        platforms: TELNYX,
        advice: { twilio: 'Twilio calls this transcribe', signalwire: 'SignalWire calls this transcribe' },
      },
      transcriptionEngine: { ...TEXT_VALUE, platforms: TELNYX },
    },
    doc: "Records the caller's audio (voicemail style), then requests action; verbs after it are unreachable.",
  },

  // ── Ending, transferring ────────────────────────────────────────────────────────
  Hangup: {
    kind: 'voice',
    attrs: {},
    children: ['Parameter'],
    doc: 'Ends the call (answering it first if it was not yet answered).',
  },
  Reject: {
    kind: 'voice',
    attrs: {
      reason: { type: 'enum', values: ['rejected', 'busy'], default: 'rejected', detail: 13810 },
    },
    children: ['Parameter'],
    doc: 'Declines the call; as the first verb the call is never answered.',
  },
  Redirect: {
    kind: 'both',
    attrs: {
      method: { ...POST_METHOD, detail: 13710 },
    },
    text: { type: 'url', required: true },
    doc: 'Continues with the document at the URL (relative to the current one); later verbs are discarded.',
  },
  Refer: {
    kind: 'voice',
    platforms: NOT_COMMIO,
    attrs: {
      action: { ...URL_VALUE, doc: 'Receives ReferCallStatus, ReferSipResponseCode, NotifySipResponseCode.' },
      method: { ...POST_METHOD },
    },
    children: ['Sip'],
    minChildren: 1,
    doc: 'Transfers a SIP call with SIP REFER to the nested <Sip> URI (SIP legs only: 13801).',
  },

  // ── Queues ───────────────────────────────────────────────────────────────────────
  Enqueue: {
    kind: 'voice',
    platforms: NOT_COMMIO,
    attrs: {
      action: { ...URL_VALUE, detail: 14203, doc: 'Requested when the call leaves the queue; without it the next verb runs.' },
      method: { ...POST_METHOD, detail: 14201 },
      waitUrl: {
        ...URL_VALUE,
        detail: 14202,
        doc: 'Document played while waiting (Play, Say, Pause, Hangup, Redirect, Leave, Gather), re-requested when it ends; default: hold music.',
      },
      waitUrlMethod: { ...POST_METHOD, detail: 14206 },
      workflowSid: { ...TEXT_VALUE, platforms: TWILIO, doc: 'TaskRouter workflow; the <Task> child then carries the task.' },
      maxQueueSize: {
        type: 'int',
        min: 1,
        max: 5000,
        platforms: TWILIO,
        advice: { telnyx: 'TeXML bounds the wait with maxWaitTimeSecs instead' },
        doc: "Default: the queue's max_size.",
      },
      maxWaitTimeSecs: { type: 'int', min: 1, default: 14400, platforms: TELNYX },
    },
    text: { type: 'string', maxLength: 64, requiredUnless: 'workflowSid' },
    children: ['Task'],
    doc: 'Puts the caller in the named queue (created on demand).',
  },
  Task: {
    platforms: TWILIO,
    attrs: {
      priority: { type: 'int', min: 0 },
      timeout: { type: 'int', min: 1 },
    },
    text: { type: 'string', required: true },
    doc: 'TaskRouter task attributes (JSON).',
  },
  Leave: {
    kind: 'voice',
    platforms: NOT_COMMIO,
    attrs: {},
    doc: 'In an Enqueue waitUrl document: leaves the queue; the call resumes after its <Enqueue>.',
  },

  // ── In-call SMS ──────────────────────────────────────────────────────────────────
  Sms: {
    kind: 'voice',
    platforms: TWILIO_SIGNALWIRE,
    advice: {
      twilio: 'deprecated; Twilio recommends the Messages REST API',
      telnyx: 'send messages with the Telnyx Messaging API instead',
    },
    attrs: {
      to: { ...TEXT_VALUE, detail: 14101, doc: 'Default: the caller.' },
      from: { ...TEXT_VALUE, detail: 14102, doc: 'Default: the called number.' },
      action: { ...URL_VALUE, doc: 'Receives SmsSid and SmsStatus; its document continues the call.' },
      method: { ...POST_METHOD, detail: 14104 },
      statusCallback: { ...URL_VALUE, detail: 14105 },
    },
    text: { type: 'string', required: true },
    doc: 'Sends an SMS during a call, then continues.',
  },

  // ── Connect and its nouns ────────────────────────────────────────────────────────
  Connect: {
    kind: 'voice',
    platforms: NOT_COMMIO,
    attrs: {
      action: { ...URL_VALUE, doc: 'Requested when the connected session ends; without it the next verb runs.' },
      method: { ...POST_METHOD },
    },
    children: [
      'Stream',
      'Room',
      'Conversation',
      'ConversationRelay',
      'ConversationRelaySession',
      'Assistant',
      'AiSession',
      'VirtualAgent',
      'Autopilot',
      'AIAssistant',
    ],
    doc: 'Connects the call to a media stream, room or AI agent; blocks until it ends.',
  },
  Stream: {
    platforms: NOT_COMMIO,
    attrs: {
      url: { ...URL_VALUE, doc: 'wss:// URL of the media WebSocket (no query string: use <Parameter>).' },
      name: { ...TEXT_VALUE, doc: 'Names the stream so <Stop><Stream name> can end it.' },
      track: {
        ...FORK_TRACK,
        default: 'inbound_track',
        doc: 'Only inbound_track inside <Connect>.',
      },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
      connectorName: { ...TEXT_VALUE, platforms: TWILIO },
      authBearerToken: { ...TEXT_VALUE, platforms: SIGNALWIRE },
      codec: {
        type: 'enum',
        values: ['PCMU@8000h', 'L16@16000h', 'L16@24000h'],
        default: 'PCMU@8000h',
        platforms: SIGNALWIRE,
        advice: { telnyx: 'TeXML uses bidirectionalCodec' },
      },
      realtime: { ...BOOL_VALUE, default: false, platforms: SIGNALWIRE },
      bidir: { ...BOOL_VALUE, platforms: SIGNALWIRE, doc: 'SignalWire conference streams: bidirectional.' },
      bidirectionalMode: { type: 'enum', values: ['mp3', 'rtp'], platforms: TELNYX },
      bidirectionalCodec: {
        type: 'enum',
        values: ['PCMU', 'PCMA', 'G722', 'OPUS', 'AMR-WB', 'L16'],
        platforms: TELNYX,
        advice: { signalwire: 'SignalWire uses codec' },
      },
    },
    children: ['Parameter'],
    doc: 'A media stream over WebSocket: bidirectional in <Connect>, a fork in <Start>, ended by name in <Stop>.',
  },
  Room: {
    platforms: TWILIO_SIGNALWIRE,
    attrs: {
      participantIdentity: { ...TEXT_VALUE, platforms: TWILIO },
    },
    text: { type: 'string', required: true },
    doc: 'A video room (its name) the call joins.',
  },
  Conversation: {
    platforms: TWILIO,
    attrs: {
      serviceInstanceSid: { ...TEXT_VALUE },
      inboundAutocreation: { ...BOOL_VALUE },
      routingAssignmentTimeout: { type: 'int', min: 0 },
      inboundTimeout: { type: 'int', min: 0 },
      url: { ...URL_VALUE },
      method: { ...POST_METHOD },
      record: { type: 'enum', values: DIAL_RECORD_VALUES, aliases: DIAL_RECORD_ALIASES, default: 'do-not-record' },
      trim: { ...TRIM },
      recordingStatusCallback: { ...URL_VALUE },
      recordingStatusCallbackMethod: { ...POST_METHOD },
      recordingStatusCallbackEvent: { ...RECORDING_EVENTS },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
      statusCallbackEvent: {
        type: 'list',
        values: ['call-initiated', 'call-ringing', 'call-answered', 'call-completed'],
      },
    },
    doc: 'Connects the call to a Twilio Conversations (Flex) conversation.',
  },
  ConversationRelay: {
    platforms: TWILIO_TELNYX,
    attrs: {
      url: { ...URL_VALUE, doc: 'wss:// URL of the application that receives text and sends replies.' },
      ...VOICE_AGENT_ATTRS,
      events: { ...TEXT_VALUE },
      backgroundnoisereduction: { ...TEXT_VALUE },
      deepgramsmartformat: { ...TEXT_VALUE },
      ignorebackchannel: { ...TEXT_VALUE },
      speechtimeout: { ...TEXT_VALUE },
    },
    children: ['Language', 'Parameter'],
    doc: 'Speech-to-text and text-to-speech relayed over a WebSocket to a conversational application.',
  },
  ConversationRelaySession: {
    platforms: TWILIO,
    attrs: {
      connector: { ...TEXT_VALUE },
      sessionConfiguration: { ...TEXT_VALUE },
    },
    doc: 'A ConversationRelay session set up by a connector.',
  },
  Assistant: {
    platforms: TWILIO,
    advice: { telnyx: 'TeXML uses <Connect><AIAssistant>' },
    attrs: {
      id: { ...TEXT_VALUE },
      ...VOICE_AGENT_ATTRS,
    },
    children: ['Language', 'Parameter'],
    doc: 'A Twilio AI assistant (by id) takes the call.',
  },
  AiSession: {
    platforms: TWILIO,
    attrs: {
      aiConnector: { ...TEXT_VALUE },
      aiSessionConfiguration: { ...TEXT_VALUE },
    },
    doc: 'An AI session through a connector.',
  },
  VirtualAgent: {
    platforms: TWILIO_SIGNALWIRE,
    advice: { signalwire: 'deprecated on SignalWire' },
    attrs: {
      connectorName: { ...TEXT_VALUE },
      language: { ...TEXT_VALUE },
      sentimentAnalysis: { ...BOOL_VALUE },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
    },
    children: ['Config', 'Parameter'],
    doc: 'A Dialogflow CX virtual agent takes the call.',
  },
  Autopilot: {
    platforms: TWILIO,
    advice: { twilio: 'Autopilot has reached end of life' },
    attrs: {},
    text: { type: 'string', required: true },
    doc: 'An Autopilot assistant (its SID) takes the call.',
  },
  AIAssistant: {
    platforms: TELNYX,
    advice: { twilio: 'Twilio uses <Connect><Assistant> or <ConversationRelay>' },
    attrs: {
      id: { ...TEXT_VALUE, doc: 'The Telnyx AI assistant.' },
    },
    doc: 'TeXML: a Telnyx AI assistant takes the call. Only id is known; other attributes read as unknown.',
  },
  Language: {
    platforms: TWILIO_TELNYX,
    attrs: {
      code: { ...TEXT_VALUE, required: true },
      ttsProvider: { ...TEXT_VALUE },
      voice: { ...TEXT_VALUE },
      transcriptionProvider: { ...TEXT_VALUE },
      speechModel: { ...TEXT_VALUE },
    },
    doc: 'Per-language speech settings of a ConversationRelay or Assistant.',
  },
  Config: {
    platforms: TWILIO,
    attrs: { name: { ...TEXT_VALUE, required: true }, value: { ...TEXT_VALUE, required: true } },
    doc: 'A provider setting of a VirtualAgent or Transcription.',
  },
  Parameter: {
    platforms: NOT_COMMIO,
    attrs: { name: { ...TEXT_VALUE, required: true }, value: { ...TEXT_VALUE, required: true } },
    doc: 'A custom name/value passed on to the stream, client, application, connector or status callback.',
  },

  // ── Start / Stop forks ───────────────────────────────────────────────────────────
  Start: {
    kind: 'voice',
    platforms: NOT_COMMIO,
    attrs: {
      action: { ...URL_VALUE },
      method: { ...POST_METHOD },
    },
    children: ['Stream', 'Siprec', 'Transcription', 'Recording', 'Suppression'],
    nestingDetail: 14300,
    doc: 'Starts an asynchronous fork (stream, SIPREC, transcription, recording); the document continues at once.',
  },
  Stop: {
    kind: 'voice',
    platforms: NOT_COMMIO,
    attrs: {},
    children: ['Stream', 'Siprec', 'Transcription', 'Suppression'],
    doc: 'Stops a fork started by <Start>, found by name.',
  },
  Siprec: {
    platforms: TWILIO_TELNYX,
    attrs: {
      name: { ...TEXT_VALUE, platforms: TWILIO },
      connectorName: { ...TEXT_VALUE },
      track: { ...FORK_TRACK },
      statusCallback: { ...URL_VALUE, platforms: TWILIO },
      statusCallbackMethod: { ...POST_METHOD, platforms: TWILIO },
    },
    children: ['Parameter'],
    doc: 'Sends the call to a SIPREC recording server.',
  },
  Transcription: {
    platforms: TWILIO_TELNYX,
    attrs: {
      name: { ...TEXT_VALUE, platforms: TWILIO },
      track: { ...FORK_TRACK, platforms: TWILIO, advice: { telnyx: 'TeXML uses transcriptionTracks' } },
      statusCallbackUrl: { ...URL_VALUE, platforms: TWILIO, advice: { telnyx: 'TeXML uses statusCallback' } },
      statusCallbackMethod: { ...POST_METHOD },
      languageCode: { ...TEXT_VALUE, platforms: TWILIO, advice: { telnyx: 'TeXML uses language' } },
      transcriptionEngine: { ...TEXT_VALUE },
      speechModel: { ...TEXT_VALUE, platforms: TWILIO },
      profanityFilter: { ...BOOL_VALUE, platforms: TWILIO },
      partialResults: { ...BOOL_VALUE, platforms: TWILIO },
      enableAutomaticPunctuation: { ...BOOL_VALUE, platforms: TWILIO },
      hints: { ...TEXT_VALUE, platforms: TWILIO },
      inboundTrackLabel: { ...TEXT_VALUE, platforms: TWILIO },
      outboundTrackLabel: { ...TEXT_VALUE, platforms: TWILIO },
      intelligenceService: { ...TEXT_VALUE, platforms: TWILIO },
      language: { ...TEXT_VALUE, platforms: TELNYX, advice: { twilio: 'Twilio uses languageCode' } },
      transcriptionTracks: { ...TEXT_VALUE, platforms: TELNYX, advice: { twilio: 'Twilio uses track' } },
      statusCallback: { ...URL_VALUE, platforms: TELNYX, advice: { twilio: 'Twilio uses statusCallbackUrl' } },
    },
    children: ['Config', 'Parameter'],
    doc: 'Real-time transcription of the call, posted to the status callback.',
  },
  Recording: {
    platforms: TWILIO_TELNYX,
    attrs: {
      channels: { type: 'enum', values: ['mono', 'dual'] },
      track: { type: 'enum', values: ['inbound', 'outbound', 'both'] },
      trim: { ...TRIM },
      recordingStatusCallback: { ...URL_VALUE },
      recordingStatusCallbackMethod: { ...POST_METHOD },
      recordingStatusCallbackEvent: { ...RECORDING_EVENTS, default: ['completed'] },
      recordingConfigurationId: { ...TEXT_VALUE, platforms: TWILIO },
    },
    doc: 'Records the whole call in the background.',
  },
  Suppression: {
    platforms: TELNYX,
    advice: {
      signalwire: 'SignalWire uses <Denoise>on</Denoise>',
      twilio: 'Twilio offers no noise suppression verb',
    },
    attrs: {
      direction: { type: 'enum', values: ['inbound', 'outbound', 'both'], doc: 'Unverified in TeXML docs.' },
    },
    doc: 'TeXML noise suppression, started and stopped with <Start>/<Stop>.',
  },

  // ── Platform-specific verbs ─────────────────────────────────────────────────────
  Echo: {
    kind: 'voice',
    platforms: TWILIO_SIGNALWIRE,
    attrs: {
      timeout: { type: 'int', min: 5, max: 120, default: 60, platforms: SIGNALWIRE, doc: 'Seconds to echo before the next verb.' },
    },
    doc: "Echoes the caller's audio back (a test verb).",
  },
  Denoise: {
    kind: 'voice',
    platforms: SIGNALWIRE,
    advice: { telnyx: 'TeXML uses <Start><Suppression/> for noise suppression' },
    attrs: {},
    text: { type: 'enum', values: ['on', 'off'], required: true },
    doc: 'Turns noise reduction of the inbound audio on or off for the rest of the call.',
  },
  HttpRequest: {
    kind: 'voice',
    platforms: TELNYX,
    attrs: {},
    doc: "TeXML: an HTTP request mid-call. Its attribute and child schema was not retrieved, so any attribute reads as unknown.",
  },
  AIGather: {
    kind: 'voice',
    platforms: TELNYX,
    attrs: {},
    doc: 'TeXML: LLM-driven data collection. Its attribute schema was not retrieved, so any attribute reads as unknown.',
  },

  // ── Pay ──────────────────────────────────────────────────────────────────────────
  Pay: {
    kind: 'voice',
    platforms: TWILIO_SIGNALWIRE,
    attrs: {
      input: { type: 'enum', values: ['dtmf'], default: 'dtmf' },
      action: { ...URL_VALUE, doc: 'HTTPS, POST; default: the current document URL.' },
      statusCallback: { ...URL_VALUE },
      statusCallbackMethod: { ...POST_METHOD },
      paymentMethod: { type: 'enum', values: ['credit-card', 'ach-debit'], default: 'credit-card' },
      bankAccountType: {
        type: 'enum',
        values: ['consumer-checking', 'consumer-savings', 'commercial-checking', 'commercial-savings'],
        default: 'consumer-checking',
      },
      timeout: { type: 'int', min: 1, default: 5, doc: 'Seconds between digits.' },
      maxAttempts: { type: 'int', min: 1, max: 3, default: 1 },
      securityCode: { ...BOOL_VALUE, default: true },
      postalCode: { ...TEXT_VALUE, default: 'true', doc: 'true, false, or the postal code itself.' },
      minPostalCodeLength: { type: 'int', min: 0 },
      paymentConnector: { ...TEXT_VALUE, default: 'Default' },
      tokenType: { type: 'enum', values: ['one-time', 'reusable', 'payment-method'], default: 'reusable' },
      chargeAmount: { type: 'number', min: 0, doc: 'Absent or 0: tokenize only.' },
      currency: { ...TEXT_VALUE, default: 'usd' },
      language: { type: 'string', pattern: LANGUAGE_TAG, default: 'en-US' },
      description: { ...TEXT_VALUE },
      validCardTypes: { type: 'list', values: CARD_TYPES, default: ['visa', 'mastercard', 'amex'] },
      paymentConnectorUrl: { ...URL_VALUE, platforms: SIGNALWIRE, doc: 'SignalWire posts the card data (JSON) here.' },
    },
    children: ['Prompt', 'Parameter'],
    doc: 'Captures a card or bank payment over DTMF (PCI); * cancels.',
  },
  Prompt: {
    platforms: TWILIO_SIGNALWIRE,
    attrs: {
      for: {
        type: 'enum',
        values: [
          'payment-card-number',
          'expiration-date',
          'security-code',
          'postal-code',
          'payment-processing',
          'bank-account-number',
          'bank-routing-number',
        ],
      },
      attempt: { type: 'string', pattern: /^\s*\d+(\s+\d+)*\s*$/, doc: 'Space-separated attempt numbers.' },
      cardType: { type: 'list', values: CARD_TYPES },
      errorType: {
        type: 'list',
        values: [
          'timeout',
          'invalid-card-number',
          'invalid-card-type',
          'invalid-date',
          'invalid-security-code',
          'internal-error',
          'input-matching-failed',
        ],
      },
      requireMatchingInputs: { ...BOOL_VALUE },
    },
    children: ['Say', 'Play', 'Pause'],
    doc: 'A custom prompt of <Pay> for one field, attempt, card type or error.',
  },

  // ── SSML inside <Say> ───────────────────────────────────────────────────────────
  break: {
    platforms: SSML_PLATFORMS,
    attrs: {
      strength: { type: 'enum', values: ['none', 'x-weak', 'weak', 'medium', 'strong', 'x-strong'], default: 'medium' },
      time: { type: 'string', pattern: /^\d+(\.\d+)?m?s$/, doc: 'Ns or Nms (SignalWire: at most 10 s).' },
    },
    doc: 'SSML: a pause.',
  },
  emphasis: {
    platforms: SSML_PLATFORMS,
    attrs: {
      level: { type: 'enum', values: ['strong', 'moderate', 'reduced'], default: 'moderate' },
    },
    text: TEXT_VALUE,
    mixed: true,
    children: SSML_INLINE,
    doc: 'SSML: emphasised words.',
  },
  lang: {
    platforms: SSML_PLATFORMS,
    attrs: {
      'xml:lang': { type: 'string', pattern: LANGUAGE_TAG, doc: 'arb, cmn-CN, en-GB-WLS, en-US…' },
    },
    text: TEXT_VALUE,
    mixed: true,
    children: SSML_ALL,
    doc: 'SSML: words in another language.',
  },
  p: {
    platforms: SSML_PLATFORMS,
    attrs: {},
    text: TEXT_VALUE,
    mixed: true,
    children: ['break', 'emphasis', 'lang', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w'],
    doc: 'SSML: a paragraph.',
  },
  phoneme: {
    platforms: SSML_PLATFORMS,
    attrs: {
      alphabet: {
        type: 'enum',
        values: ['ipa', 'x-sampa', 'x-amazon-jyutping', 'x-amazon-pinyin', 'x-amazon-pron-kana', 'x-amazon-yomigana'],
      },
      ph: { ...TEXT_VALUE, doc: 'The phonetic symbols.' },
    },
    text: TEXT_VALUE,
    doc: 'SSML: a word with its pronunciation.',
  },
  prosody: {
    platforms: SSML_PLATFORMS,
    attrs: {
      volume: { type: 'string', pattern: /^(default|silent|x-soft|soft|medium|loud|x-loud|[+-]\d+(\.\d+)?dB)$/ },
      rate: { type: 'string', pattern: /^(x-slow|slow|medium|fast|x-fast|\d+(\.\d+)?%)$/ },
      pitch: { type: 'string', pattern: /^(default|x-low|low|medium|high|x-high|[+-]?\d+(\.\d+)?%)$/ },
    },
    text: TEXT_VALUE,
    mixed: true,
    children: SSML_ALL,
    doc: 'SSML: volume, rate and pitch of the enclosed speech.',
  },
  s: {
    platforms: SSML_PLATFORMS,
    attrs: {},
    text: TEXT_VALUE,
    mixed: true,
    children: SSML_INLINE,
    doc: 'SSML: a sentence.',
  },
  'say-as': {
    platforms: SSML_PLATFORMS,
    attrs: {
      'interpret-as': {
        type: 'enum',
        values: [
          'characters',
          'spell-out',
          'cardinal',
          'number',
          'ordinal',
          'digits',
          'fraction',
          'unit',
          'date',
          'time',
          'address',
          'expletive',
          'telephone',
        ],
      },
      format: { type: 'enum', values: ['mdy', 'dmy', 'ymd', 'md', 'dm', 'ym', 'my', 'd', 'm', 'y', 'yyyymmdd'] },
    },
    text: TEXT_VALUE,
    doc: 'SSML: how to read the enclosed text (digits, date, telephone…).',
  },
  sub: {
    platforms: SSML_PLATFORMS,
    attrs: {
      alias: { ...TEXT_VALUE, doc: 'What to say instead of the enclosed text.' },
    },
    text: TEXT_VALUE,
    doc: 'SSML: a substitution (acronyms, abbreviations).',
  },
  w: {
    platforms: SSML_PLATFORMS,
    attrs: {
      role: { ...TEXT_VALUE, doc: 'amazon:VB, amazon:VBD, amazon:NN, amazon:SENSE_1…' },
    },
    text: TEXT_VALUE,
    mixed: true,
    children: ['break', 'emphasis', 'phoneme', 'prosody', 'say-as', 'sub'],
    doc: 'SSML: a word with its part of speech.',
  },

  // ── Messaging ────────────────────────────────────────────────────────────────────
  Message: {
    kind: 'messaging',
    platforms: NOT_TELNYX,
    advice: { telnyx: 'Telnyx messaging is driven by JSON webhooks, not TeXML' },
    attrs: {
      to: { ...TEXT_VALUE, detail: 14101, doc: 'Default: the sender of the inbound message.' },
      from: { ...TEXT_VALUE, detail: 14102, doc: 'Default: the number that received the inbound message.' },
      action: {
        ...URL_VALUE,
        doc: 'Receives MessageStatus; its document continues the flow and later verbs are not executed.',
      },
      method: { ...POST_METHOD, detail: 14104 },
      statusCallback: {
        ...URL_VALUE,
        detail: 14105,
        platforms: TWILIO,
        advice: { signalwire: 'not documented on SignalWire; use action' },
      },
    },
    // Text is optional: twilio-node writes <Message>Hi<Media>…</Media></Message>, so text and
    // children may meet; a message with neither is refused when sent (14103), not here.
    text: { type: 'string', maxLength: 1600 },
    children: ['Body', 'Media'],
    maxChildren: 10,
    doc: 'Sends a message: its text or <Body>, and up to 10 <Media>.',
  },
  Body: {
    platforms: NOT_TELNYX,
    attrs: {},
    text: { type: 'string', maxLength: 1600 },
    doc: 'Message text; several <Body> nouns are concatenated (1600 characters in all).',
  },
  Media: {
    platforms: NOT_TELNYX,
    attrs: {},
    text: { type: 'url', required: true },
    // The limit is also on <Message> (children of one kind); here it reads as "at most 10 of me".
    maxChildren: 10,
    doc: 'One media URL of an MMS; up to 10 per message.',
  },
} as const satisfies ElementTable;

export const twiml = {
  name: 'twiml',
  root: 'Response',
  elements: twimlElements,
  messagingVerbDetail: 14110,
} as const satisfies DialectSpec<typeof twimlElements>;
