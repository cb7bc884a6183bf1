import type { Platform } from './spec.js';

/** What `--target` accepts: a TwiML-family platform, or Apifonica. */
export type LintTarget = Platform | 'apifonica';

export const LINT_TARGETS: readonly LintTarget[] = ['twilio', 'signalwire', 'telnyx', 'commio', 'apifonica'];

export const PLATFORM_NAMES: Readonly<Record<LintTarget, string>> = {
  twilio: 'Twilio',
  signalwire: 'SignalWire',
  telnyx: 'Telnyx TeXML',
  commio: 'Commio cXML',
  apifonica: 'Apifonica',
};
