/**
 * Numbers as the store keys them: E.164 (`+` and digits). A SIP user part or a typed
 * number may carry spaces, dashes, dots, parentheses, an `00` or `011` international
 * prefix, or `;` parameters (`+15550100;npdi`); all of that is dropped.
 */
export function normaliseE164(input: string): string | undefined {
  let s = input.trim();
  const semicolon = s.indexOf(';');
  if (semicolon !== -1) s = s.slice(0, semicolon);
  s = s.replace(/^tel:/i, '').replace(/[\s().-]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  else if (s.startsWith('011')) s = `+${s.slice(3)}`;
  else if (/^\d/.test(s)) s = `+${s}`;
  return /^\+[1-9]\d{2,14}$/.test(s) ? s : undefined;
}
