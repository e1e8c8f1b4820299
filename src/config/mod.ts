export type { ConfigOf, Field, Spec } from './fields.js';
export {
  bool,
  duration,
  emptyIsUnset,
  int,
  matching,
  num,
  oneOf,
  optional,
  optionalStr,
  optionalUrl,
  str,
} from './fields.js';
export {
  addOptions,
  type ConfigRule,
  collectConfig,
  envName,
  envWithout,
  flagName,
  readConfig,
} from './read.js';
