/** Redis for services: a bounded connection, readiness, and Lua scripts called by SHA. */
export { openRedis, type RedisBackend, type RedisOptions } from './redis.js';
