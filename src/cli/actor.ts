import { userInfo } from 'node:os';

/**
 * Who an admin action is recorded as: `--as`, else $QUEUE_ADMIN, else the OS user.
 * The name lands in audit entries, so it is never empty.
 */
export function resolveActor(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const candidates = [explicit, env.QUEUE_ADMIN, osUserName(), env.USER, env.LOGNAME];
  for (const candidate of candidates) {
    const name = candidate?.trim();
    if (name) return name;
  }
  return 'admin';
}

function osUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // Containers running as a uid without a passwd entry have no user name.
    return undefined;
  }
}
