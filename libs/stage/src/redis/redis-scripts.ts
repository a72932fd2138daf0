import { createHash } from 'node:crypto';
import { Command } from 'ioredis';
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
 * Appends several entries in one call, each on its own, so that one that fails does not fail the
 * others. KEYS: stream. ARGV: for each entry, its number of field and value strings, then those
 * strings. Returns one string per entry, in order: its new entry id, or `!` and the error.
 */
export const ADD_EACH = script(`
local added = {}
local i = 1
while i <= #ARGV do
  local count = tonumber(ARGV[i])
  local id = redis.pcall('XADD', KEYS[1], '*', unpack(ARGV, i + 1, i + count))
  if type(id) == 'table' and id.err then id = '!' .. id.err end
  added[#added + 1] = id
  i = i + count + 1
end
return added
`);

/**
 * Acknowledges several entries in one call, each on its own, so that the reply says which
 * acknowledgements counted (one `XACK` with every id would only give their sum). KEYS: stream.
 * ARGV: group, entry ids…. Returns one 1 or 0 per id, in order: 0 when the entry was no longer
 * pending (another replica claimed and settled it).
 */
export const ACK_EACH = script(`
local acked = {}
for i = 2, #ARGV do
  acked[i - 1] = redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
end
return acked
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
 * Puts a dead letter back into the stream and deletes it from the dead-letter stream, atomically,
 * once: when the dead-letter entry is gone already (another replica replayed it first), nothing is
 * added. KEYS: stream, dead-letter stream. ARGV: dead-letter entry id ('' for a letter with no
 * entry), fields…. Returns the new entry id, or nil when nothing was added.
 */
export const REPLAY = script(`
if ARGV[1] ~= '' and redis.call('XDEL', KEYS[2], ARGV[1]) == 0 then return false end
return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
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

/**
 * Runs `lua` on `client` with `EVALSHA`, falling back to `EVAL` when the server lacks it.
 *
 * The call is written at once, not through ioredis's auto-pipelining: a script call already
 * carries a batch, and auto-pipelining keeps one pipeline in flight per connection, so a batch of
 * sends would wait a whole round trip behind a batch of acknowledgements (and the other way
 * round). Calls still reach Redis, and run, in the order they were made.
 */
export async function runScript(
  client: Redis,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await sendNow(client, 'evalsha', [lua.sha, keys.length, ...keys, ...args]);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return sendNow(client, 'eval', [lua.source, keys.length, ...keys, ...args]);
  }
}

/** Sends one command on `client` directly, as ioredis does without auto-pipelining. */
function sendNow(client: Redis, name: string, args: (string | number)[]): Promise<unknown> {
  const command = new Command(name, args, {
    keyPrefix: client.options.keyPrefix,
    replyEncoding: 'utf8',
  });
  client.sendCommand(command);
  return command.promise as Promise<unknown>;
}
