import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script, run with `EVALSHA` and loaded with `EVAL` the first time a server lacks it. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Renews (and optionally re-counts) entries this consumer still owns, never taking one another
 * consumer has claimed: `XCLAIM … JUSTID` guarded by `XPENDING`, atomically. KEYS: stream. ARGV:
 * group, consumer, idle ms or '', then pairs of entry id and retry count ('' keeps the count).
 * Returns the ids no longer owned (claimed by another replica, or acknowledged).
 */
export const RENEW_OWNED = script(`
local lost = {}
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  if #pending > 0 and pending[1][2] == ARGV[2] then
    local claim = {'XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id}
    if ARGV[3] ~= '' then table.insert(claim, 'IDLE'); table.insert(claim, ARGV[3]) end
    if ARGV[i + 1] ~= '' then table.insert(claim, 'RETRYCOUNT'); table.insert(claim, ARGV[i + 1]) end
    table.insert(claim, 'JUSTID')
    redis.call(unpack(claim))
  else
    table.insert(lost, id)
  end
end
return lost
`);

/**
 * Acknowledges an entry and, only if that acknowledgement counted, records its dead letter.
 * KEYS: stream, dead-letter stream. ARGV: group, entry id ('' for a message never read from the
 * stream), dead-letter capacity, fields…. Returns `[acked, dead-letter entry id]`: acked is 0 (and
 * nothing is recorded) when another replica had already settled the entry.
 */
export const ACK_AND_DEAD_LETTER = script(`
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
local id = ''
if acked == 1 or ARGV[2] == '' then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', '=', ARGV[3], '*', unpack(ARGV, 4))
end
return {acked, id}
`);

/**
 * Puts a dead letter back into the stream and deletes it from the dead-letter stream, atomically.
 * KEYS: stream, dead-letter stream. ARGV: dead-letter entry id, fields…. Returns the new entry id.
 */
export const REPLAY = script(`
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
if ARGV[1] ~= '' then redis.call('XDEL', KEYS[2], ARGV[1]) end
return id
`);

/**
 * Trims the stream without deleting an entry some consumer group still needs: `XTRIM MINID`
 * below the oldest pending entry of every group, or below its last delivered entry when nothing
 * is pending (entries after it are not delivered yet). `MAXLEN` would delete pending entries.
 * KEYS: stream. Returns how many entries were trimmed.
 */
export const TRIM_SETTLED = script(`
local function older(a, b)
  local ams, aseq = string.match(a, '(%d+)-(%d+)')
  local bms, bseq = string.match(b, '(%d+)-(%d+)')
  if tonumber(ams) ~= tonumber(bms) then return tonumber(ams) < tonumber(bms) end
  return tonumber(aseq) < tonumber(bseq)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local floor = nil
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local name, last
  for i = 1, #group, 2 do
    if group[i] == 'name' then name = group[i + 1] end
    if group[i] == 'last-delivered-id' then last = group[i + 1] end
  end
  local summary = redis.call('XPENDING', KEYS[1], name)
  local keep = last
  if summary[1] > 0 then keep = summary[2] end
  if floor == nil or older(keep, floor) then floor = keep end
end
if floor == nil or floor == '0-0' then return 0 end
return redis.call('XTRIM', KEYS[1], 'MINID', '~', floor)
`);

/** Runs `lua` on `client` with `EVALSHA`, falling back to `EVAL` when the server lacks it. */
export async function runScript(
  client: Redis,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.call('EVALSHA', lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.call('EVAL', lua.source, keys.length, ...keys, ...args);
  }
}
