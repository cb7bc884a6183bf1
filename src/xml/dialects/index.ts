import { apifonica } from './apifonica.js';
import { twiml } from './twiml.js';

/** Every dialect the parser reads, by the name `--dialect` and the store use. */
export const dialects = { twiml, apifonica } as const;
export type DialectName = keyof typeof dialects;
export const DIALECT_NAMES = Object.keys(dialects) as DialectName[];
