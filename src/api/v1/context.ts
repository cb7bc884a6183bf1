import type { Store } from '../../store/index.js';

/** What every resource module of the native API is given. */
export interface V1Context {
  readonly store: Store;
  /** The mount, as links in answers spell it: `/v1`. */
  readonly base: string;
  /** Where recordings' files are; deleting a recording removes its file only when given. */
  readonly dataDir?: string;
}
