import type { TwimlVerb } from '../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../verb-context.js';
import { denoise } from './denoise.js';
import { dial } from './dial.js';
import { echo } from './echo.js';
import { connect } from './connect.js';
import { gather } from './gather.js';
import { hangup } from './hangup.js';
import { pause } from './pause.js';
import { play } from './play.js';
import { record } from './record.js';
import { redirect } from './redirect.js';
import { refer } from './refer.js';
import { reject } from './reject.js';
import { say } from './say.js';
import { sms } from './sms.js';
import { start } from './start.js';
import { stop } from './stop.js';

type Handler<N extends TwimlVerb['name']> = (verb: Extract<TwimlVerb, { name: N }>, ctx: VerbContext) => Promise<VerbOutcome>;

/** The TwiML verbs the engine runs, by name. A verb not listed is reported and skipped. */
export const TWIML_VERBS: { readonly [N in TwimlVerb['name']]?: Handler<N> } = {
  Say: say,
  Play: play,
  Pause: pause,
  Gather: gather,
  Hangup: hangup,
  Reject: reject,
  Redirect: redirect,
  Dial: dial,
  Record: record,
  Start: start,
  Stop: stop,
  Connect: connect,
  Sms: sms,
  Echo: echo,
  Refer: refer,
  Denoise: denoise,
};
