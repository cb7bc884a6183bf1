/** The SIP UA core: sessions, INVITEs both ways, re-INVITE, INFO, OPTIONS, errors. */
export * from './errors.js';
export { UserAgent, UA_ALLOWED_METHODS, UA_ACCEPTED_TYPES, type UserAgentOptions, type UserAgentEvents, type InviteOptions, type OptionsRequestOptions } from './user-agent.js';
export { IncomingInvite, type IncomingInviteState, type IncomingInviteEvents, type AnswerOptions } from './incoming-invite.js';
export { OutgoingInvite, type OutgoingInviteState, type OutgoingInviteEvents } from './outgoing-invite.js';
export {
  InviteSession,
  IncomingReinvite,
  glareDelay,
  type SessionState,
  type SessionEnd,
  type SessionEndReason,
  type SessionModification,
  type ReinviteDecision,
  type IncomingInfo,
  type SessionDtmf,
  type InviteSessionEvents,
} from './session.js';
export { type ReferOptions, type ReferOutcome, type ReferEnd, type IncomingNotify } from './refer.js';
export * from './sdp-direction.js';
export * from './dtmf-info.js';
