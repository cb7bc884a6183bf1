import type { Config } from '../config/config.js';
import type { Account, PhoneNumber, Store } from '../store/index.js';

export const DEMO_NUMBER = '+15550100';

export interface FirstStart {
  readonly account: Account;
  /** True when this start created the account (so its token should be shown once). */
  readonly created: boolean;
  readonly demoNumber: PhoneNumber | undefined;
}

/**
 * On the first start: the account (`DIALTONE_ACCOUNT_SID`/`DIALTONE_AUTH_TOKEN` when
 * given) and a demo number bound to the built-in demo application at `httpBase/demo`.
 * Later starts find the account and leave everything as it is, except that a token
 * given in the environment replaces the stored one, so the environment stays the truth.
 */
export async function ensureFirstStart(store: Store, config: Config, httpBase: string): Promise<FirstStart> {
  const wanted = config.account;
  const existing = wanted.sid ? await store.accounts.get(wanted.sid) : (await store.accounts.list())[0];
  if (existing) {
    if (wanted.authToken && wanted.authToken !== existing.authToken) {
      await store.accounts.setAuthToken(existing.sid, wanted.authToken);
    }
    const account = (await store.accounts.get(existing.sid))!;
    return { account, created: false, demoNumber: await store.numbers.findByNumber(DEMO_NUMBER) };
  }
  const account = await store.accounts.create({
    ...(wanted.sid ? { sid: wanted.sid } : {}),
    ...(wanted.authToken ? { authToken: wanted.authToken } : {}),
  });
  const demoNumber = (await store.numbers.findByNumber(DEMO_NUMBER))
    ? undefined
    : await store.numbers.add(account.sid, {
        phoneNumber: DEMO_NUMBER,
        friendlyName: 'Dialtone demo',
        voiceUrl: `${httpBase}/demo/voice`,
        voiceMethod: 'POST',
      });
  return { account, created: true, demoNumber };
}
