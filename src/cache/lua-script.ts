import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/** A Lua script run by its SHA (EVALSHA), its body sent only when the server has not cached it. */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly body: string) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!/NOSCRIPT/.test((error as Error).message)) throw error;
      return client.eval(this.body, keys.length, ...keys, ...args);
    }
  }
}
