import type { ApifonicaVerb } from '../../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../../verb-context.js';
import { endCall } from './end-call.js';
import { getInput } from './get-input.js';
import { makeCall } from './make-call.js';
import { playAudio } from './play-audio.js';
import { redirect } from './redirect.js';
import { sendMessage } from './send-message.js';
import { wait } from './wait.js';

type Handler<N extends ApifonicaVerb['name']> = (verb: Extract<ApifonicaVerb, { name: N }>, ctx: VerbContext) => Promise<VerbOutcome>;

/** The Apifonica commands, by name (legacy `hangup` and `pause` arrive as `endCall` and `wait`). */
export const APIFONICA_VERBS: { readonly [N in ApifonicaVerb['name']]?: Handler<N> } = {
  playAudio,
  getInput,
  makeCall,
  endCall,
  wait,
  redirect,
  sendMessage,
};
