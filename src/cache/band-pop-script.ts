import { LuaScript } from './lua-script';
import type Redis from 'ioredis';

/**
 * The band pop for servers without ZMPOP (Redis < 7, or ZMPOP renamed away), as one script so it
 * stays atomic like ZMPOP: two workers never receive the same id.
 *
 * KEYS: the band sorted sets in band order (one queue's keys: one hash slot on a cluster).
 * ARGV[1]: how many ids to pop at most.
 * Returns: the ids popped from the first non-empty band, lowest score (best) first; {} when
 * every band is empty.
 */
const BAND_POP_LUA = `
local count = tonumber(ARGV[1])
for i = 1, #KEYS do
  local popped = redis.call('ZPOPMIN', KEYS[i], count)
  if #popped > 0 then
    local ids = {}
    for j = 1, #popped, 2 do ids[#ids + 1] = popped[j] end
    return ids
  end
end
return {}
`;

const BAND_POP = new LuaScript(BAND_POP_LUA);

/** Runs the band pop (EVALSHA; the script body only when the server does not have it cached). */
export async function popBandsWithScript(client: Redis, bandKeys: readonly string[], count: number): Promise<string[]> {
  const reply = await BAND_POP.run(client, bandKeys, [count]);
  return Array.isArray(reply) ? reply.map(String) : [];
}

export type PopMode = 'mpop' | 'script';

/** Per client: what its server supports, asked once per connection (a failover may change the server). */
const popModes = new WeakMap<Redis, Promise<PopMode>>();
const watched = new WeakSet<Redis>();

/** 'mpop' (Redis 7's ZMPOP/BZMPOP) or 'script' (this file's fallback) for the client's server. */
export function popModeOf(client: Redis): Promise<PopMode> {
  let mode = popModes.get(client);
  if (!mode) {
    if (!watched.has(client)) {
      watched.add(client);
      client.on('ready', () => popModes.delete(client));
    }
    const asked = serverHasMpop(client).then((has): PopMode => (has ? 'mpop' : 'script'));
    // A failed answer (Redis down) is not remembered: the next call asks again.
    asked.catch(() => popModes.get(client) === asked && popModes.delete(client));
    popModes.set(client, asked);
    mode = asked;
  }
  return mode;
}

/** The server turned out not to know ZMPOP (it changed under the connection): use the script from now on. */
export function useScriptPop(client: Redis): void {
  popModes.set(client, Promise.resolve('script'));
}

/**
 * Whether the server has ZMPOP and BZMPOP (Redis 7+, not renamed away). COMMAND INFO answers nil
 * for a command the server does not know, which covers both an older version and rename-command.
 */
async function serverHasMpop(client: Redis): Promise<boolean> {
  const info = (await client.call('COMMAND', 'INFO', 'ZMPOP', 'BZMPOP')) as unknown[];
  return Array.isArray(info) && info.length === 2 && info.every((entry) => Array.isArray(entry));
}

/** An error that says the server does not know the command (it was renamed away or is too new). */
export function isUnknownCommand(error: unknown): boolean {
  return /unknown command/i.test((error as Error)?.message ?? '');
}
