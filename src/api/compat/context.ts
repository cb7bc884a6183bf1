import type { Store } from '../../store/index.js';
import type { TelephonyCallControl } from './call-control.js';

/** What every resource module of the compatible API is given. */
export interface CompatContext {
  readonly store: Store;
  /** The mount the request came in on, `/2010-04-01` or `/api/laml/2010-04-01`: URIs in answers start with it. */
  readonly base: string;
  /** Places and changes live calls; without it `POST Calls` is not offered. */
  readonly calls?: TelephonyCallControl;
  /** Where recordings' files live (rows hold paths relative to it); deleting a recording removes its file there. */
  readonly dataDir?: string;
}
