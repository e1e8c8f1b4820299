/**
 * The sale's Redis scripts. Each runs atomically inside Redis (no other command interleaves), so
 * a check and the change it allows can never be split by a concurrent request: that is what makes
 * "reserved by someone else", "the user's limit" and "a code is used once" hold under any
 * concurrency. They are loaded once at start (SCRIPT LOAD) and called by SHA.
 *
 * One sale's state is five keys sharing the hash tag `{<sale id>}` (one Redis Cluster slot), always
 * passed in this order:
 *   KEYS[1] meta    HASH  items, limit, sold. No `limit` field = no state (flushed): 'missing'.
 *   KEYS[2] holder  HASH  item -> the code holding it, or '!' once sold. Absent = available.
 *   KEYS[3] expiry  ZSET  item, scored by its reservation's expiry (epoch ms).
 *   KEYS[4] codes   HASH  code -> 'S|expiresAt|item|user', S = R (reserved), P (purchased),
 *                         X (expired or released).
 *   KEYS[5] taken   HASH  user -> purchases + live reservations in this sale.
 * Invariants the scripts keep: codes[c] starts with R exactly when holder[item] = c and item is
 * in expiry; taken[u] counts u's R and P codes; meta.sold counts the '!' holders.
 */

const PRELUDE = `
local META, HOLDER, EXPIRY, CODES, TAKEN = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

-- Frees item it if a reservation holds it: the item is available again, the code expired, and
-- the holder's count goes down. A sold item stays sold.
local function free(it)
  redis.call('ZREM', EXPIRY, it)
  local code = redis.call('HGET', HOLDER, it)
  if (not code) or code == '!' then return end
  redis.call('HDEL', HOLDER, it)
  local rec = redis.call('HGET', CODES, code)
  if rec and string.sub(rec, 1, 1) == 'R' then
    redis.call('HSET', CODES, code, 'X' .. string.sub(rec, 2))
    redis.call('HINCRBY', TAKEN, string.match(rec, '([^|]+)$'), -1)
  end
end

-- Frees reservations that expired at or before now, oldest first; at most 'most' (-1: all).
local function sweep(now, most)
  local due = redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', now, 'LIMIT', 0, most)
  for i = 1, #due do free(due[i]) end
end
`;

/**
 * ARGV: n groups of (user, item, now, expiresAt, code), one per reservation, run in their order.
 * Returns n replies, each {'reserved', code, expiresAt} (the user's own live code if they already
 * hold the item), or {'sold_out'} | {'unavailable'} | {'limit'} | {'missing'}: the same as n
 * single calls in a row, in one round trip and one script call. The limit is checked after a full
 * sweep, so an expired reservation never counts.
 *
 * What no reservation changes is read once per call: the sale's meta fields, and one sweep (up to
 * 64 per reservation) at the earliest `now` of the call. A reservation that expired between that
 * instant and a later one's `now` is still caught where it matters, exactly as one swept would
 * be: the item's own holder is checked against its `now` (and freed), and the limit check sweeps
 * everything at its `now` before refusing.
 */
export const RESERVE = `${PRELUDE}
local meta = redis.call('HMGET', META, 'limit', 'sold', 'items')
local limit = tonumber(meta[1])
local out = {}
if not limit then
  for i = 1, #ARGV, 5 do out[#out + 1] = {'missing'} end
  return out
end
local soldOut = tonumber(meta[2]) >= tonumber(meta[3])
local first = tonumber(ARGV[3])
for i = 8, #ARGV, 5 do first = math.min(first, tonumber(ARGV[i])) end
sweep(first, 64 * (#ARGV / 5))

local function reserve(user, it, now, expires, code)
  if soldOut then return {'sold_out'} end
  local holder = redis.call('HGET', HOLDER, it)
  if holder == '!' then return {'unavailable'} end
  if holder then
    local exp, owner = string.match(redis.call('HGET', CODES, holder) or '', '^R|(%d+)|%d+|(%d+)$')
    if exp and tonumber(exp) > now then
      if owner == user then return {'reserved', holder, exp} end
      return {'unavailable'}
    end
    free(it)
  end
  if tonumber(redis.call('HGET', TAKEN, user) or '0') >= limit then
    sweep(now, -1)
    if tonumber(redis.call('HGET', TAKEN, user) or '0') >= limit then return {'limit'} end
  end
  redis.call('HSET', HOLDER, it, code)
  redis.call('ZADD', EXPIRY, expires, it)
  redis.call('HSET', CODES, code, 'R|' .. expires .. '|' .. it .. '|' .. user)
  redis.call('HINCRBY', TAKEN, user, 1)
  return {'reserved', code, expires}
end
for i = 1, #ARGV, 5 do
  out[#out + 1] = reserve(ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4])
end
return out
`;

/**
 * ARGV: code, now. Returns {'purchased', item, user}, or {'unknown'} | {'used'} | {'expired'} |
 * {'missing'}. The reservation already counts toward the user's limit, so buying it cannot
 * exceed it; the code turns P in the same step, so a second purchase of it is 'used'.
 */
export const PURCHASE = `${PRELUDE}
if not redis.call('HGET', META, 'limit') then return {'missing'} end
local code, now = ARGV[1], tonumber(ARGV[2])
local rec = redis.call('HGET', CODES, code)
if not rec then return {'unknown'} end
local state, exp, it, user = string.match(rec, '^(%u)|(%d+)|(%d+)|(%d+)$')
if state == 'P' then return {'used'} end
if state ~= 'R' or redis.call('HGET', HOLDER, it) ~= code then return {'expired'} end
if tonumber(exp) <= now then
  free(it)
  return {'expired'}
end
redis.call('HSET', HOLDER, it, '!')
redis.call('ZREM', EXPIRY, it)
redis.call('HSET', CODES, code, 'P' .. string.sub(rec, 2))
redis.call('HINCRBY', META, 'sold', 1)
return {'purchased', it, user}
`;

/** ARGV: code. Undoes PURCHASE for a purchase the ledger did not record. Returns 1 if it did. */
export const UNPURCHASE = `${PRELUDE}
if not redis.call('HGET', META, 'limit') then return 0 end
local rec = redis.call('HGET', CODES, ARGV[1])
if (not rec) or string.sub(rec, 1, 1) ~= 'P' then return 0 end
local exp, it = string.match(rec, '^P|(%d+)|(%d+)|')
if redis.call('HGET', HOLDER, it) ~= '!' then return 0 end
redis.call('HSET', HOLDER, it, ARGV[1])
redis.call('ZADD', EXPIRY, exp, it)
redis.call('HSET', CODES, ARGV[1], 'R' .. string.sub(rec, 2))
redis.call('HINCRBY', META, 'sold', -1)
return 1
`;

/** ARGV: code. Frees a live reservation the ledger did not record. Returns 1 if it did. */
export const RELEASE = `${PRELUDE}
if not redis.call('HGET', META, 'limit') then return 0 end
local rec = redis.call('HGET', CODES, ARGV[1])
if (not rec) or string.sub(rec, 1, 1) ~= 'R' then return 0 end
local it = string.match(rec, '^R|%d+|(%d+)|')
if redis.call('HGET', HOLDER, it) ~= ARGV[1] then return 0 end
free(it)
return 1
`;

/** ARGV: now. Returns {'counts', sold, live reservations} or {'missing'}. */
export const COUNTS = `
if not redis.call('HGET', KEYS[1], 'limit') then return {'missing'} end
return {'counts', tonumber(redis.call('HGET', KEYS[1], 'sold')), redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[1], '+inf')}
`;

export const SALE_SCRIPTS = {
  reserve: RESERVE,
  purchase: PURCHASE,
  unpurchase: UNPURCHASE,
  release: RELEASE,
  counts: COUNTS,
} as const;
