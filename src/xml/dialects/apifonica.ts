/**
 * Apifonica XML: lowercase camelCase commands under `<response>`, "controller" URLs
 * instead of `action`, snake_case webhook parameters. The only platform of this dialect,
 * so nothing here carries `platforms`.
 *
 * Source: ../shared/reference/dialects.md §9 (apifonica.com/en/docs/api/xml/*). Some of
 * Apifonica's attribute tables could not be retrieved; the assumptions are named in `doc`.
 */
import type { DialectSpec, ElementTable } from '../spec.js';
import { ONE_KEY, POST_METHOD, TEXT_VALUE, URL_VALUE } from './shared-values.js';

export const apifonicaElements = {
  response: {
    attrs: {},
    children: ['playAudio', 'getInput', 'makeCall', 'endCall', 'wait', 'redirect', 'sendMessage'],
    doc: 'The root; the document must start with <?xml version="1.0" encoding="UTF-8"?>.',
  },
  playAudio: {
    kind: 'voice',
    attrs: {
      loops: { type: 'int', min: 0, default: 1, doc: 'Times to play; 0 loops endlessly.' },
    },
    text: { type: 'url', required: true },
    doc: 'Plays an MP3 or WAV file; serve the document with GET to let the audio be cached.',
  },
  getInput: {
    kind: 'voice',
    attrs: {
      controller: {
        ...URL_VALUE,
        doc: 'Receives the keys; default: the current URL. The request is asynchronous: the next commands run until its XML arrives.',
      },
      method: { ...POST_METHOD },
      timeout: { type: 'int', min: 1, default: 5, doc: 'Seconds to wait for the next key once one was pressed.' },
      timeoutGeneral: {
        type: 'int',
        min: 1,
        default: 5,
        doc: 'Seconds to wait for the first key, after the nested playAudio ends; no key runs the next command.',
      },
      minSymbols: { type: 'int', min: 1, max: 128, default: 1, doc: 'Fewest keys accepted as input.' },
      maxSymbols: { type: 'int', min: 1, max: 128, default: 30, doc: 'Input ends when this many keys were pressed.' },
      finishOnKey: { type: 'string', pattern: ONE_KEY, default: '#', doc: 'The key that ends input.' },
      loops: {
        type: 'int',
        min: 1,
        default: 1,
        doc: 'Attempts when the input is invalid (default not documented; 1 assumed).',
      },
    },
    children: ['playAudio'],
    doc: 'Collects keypad digits (DTMF only); a key press interrupts the nested playAudio.',
  },
  makeCall: {
    kind: 'voice',
    attrs: {
      from: { ...TEXT_VALUE, doc: "Caller ID, a number rented from Apifonica; default: leg A's from." },
      controller: {
        ...URL_VALUE,
        doc: 'Receives the call parameters when the call ends and returns new XML (later commands are unreachable); without it the document continues.',
      },
      method: { ...POST_METHOD },
      timeout: { type: 'int', min: 1, default: 30, doc: 'Seconds to wait for an answer; then the next command runs.' },
      whisper_a: { ...URL_VALUE, doc: 'Audio played to leg A when the call is answered.' },
      whisper_b: { ...URL_VALUE, doc: 'Audio played to leg B when the call is answered.' },
    },
    children: ['number', 'sip'],
    minChildren: 1,
    doc: 'Calls one or more <number>/<sip> targets at once and connects the first to answer. At least one child is required (the table cannot say so; the verb handler must).',
  },
  number: {
    attrs: {},
    text: { type: 'string', required: true },
    doc: 'A phone number to call.',
  },
  sip: {
    attrs: {},
    text: { type: 'string', required: true },
    doc: 'A SIP endpoint to call.',
  },
  endCall: {
    kind: 'voice',
    attrs: {
      signal: {
        type: 'enum',
        values: ['busy', 'reject'],
        doc: 'End with a busy or reject signal, without answering (like TwiML <Reject>); absent: a plain hangup.',
      },
    },
    doc: 'Ends the call.',
  },
  wait: {
    kind: 'voice',
    attrs: {
      length: {
        type: 'int',
        min: 1,
        default: 1,
        doc: 'Seconds to wait. The attribute name was not retrievable; length is assumed, time and seconds accepted.',
      },
    },
    attrAliases: { time: 'length', seconds: 'length' },
    doc: 'Waits before the next command.',
  },
  redirect: {
    kind: 'both',
    attrs: {
      controller: { ...URL_VALUE, doc: 'The URL of the next document, when it is not given as text.' },
      method: { ...POST_METHOD },
    },
    attrAliases: { url: 'controller' },
    text: { type: 'url', requiredUnless: 'controller' },
    doc: 'Continues with the Apifonica XML at the URL (page not retrieved; modelled on TwiML <Redirect>).',
  },
  sendMessage: {
    kind: 'both',
    attrs: {
      from: { ...TEXT_VALUE, doc: 'Sender, a rented number; default: the called number (assumed).' },
      to: { ...TEXT_VALUE, doc: 'Recipient; default: the current caller.' },
      controller_url: { ...URL_VALUE, doc: 'Notified about the message; not with controller_app.' },
      controller_app: { ...TEXT_VALUE, doc: 'Application SID whose controller is notified; not with controller_url.' },
      method: { ...POST_METHOD },
      text: { ...TEXT_VALUE, doc: 'The message text (as in Apifonica’s example); the element text is read too.' },
    },
    text: { type: 'string', requiredUnless: 'text' },
    doc: 'Sends an SMS, during a call or as a reply to an inbound message.',
  },
} as const satisfies ElementTable;

export const apifonica = {
  name: 'apifonica',
  root: 'response',
  elements: apifonicaElements,
  aliases: { hangup: 'endCall', pause: 'wait' },
} as const satisfies DialectSpec<typeof apifonicaElements>;
