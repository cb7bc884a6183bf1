/** SIP dialogs (RFC 3261 §12): identity, route sets, CSeq, target refresh, in-dialog requests. */
export * from './errors.js';
export * from './dialog.js';
