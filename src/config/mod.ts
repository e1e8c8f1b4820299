export type { ConfigOf, Field, Spec } from './fields.js';
export { bool, duration, int, num, oneOf, optionalStr, str } from './fields.js';
export { addOptions, collectConfig, envName, envWithout, flagName, readConfig } from './read.js';
