import { SharedRead } from '../../src/dashboard/shared-read';

describe('SharedRead (one overview read for every viewer)', () => {
  it('shares a running read, serves its result while fresh, reads again when stale or invalidated, and never keeps a failure', async () => {
    let calls = 0;
    let fail = false;
    let release: () => void = () => undefined;
    const shared = new SharedRead(async () => {
      calls += 1;
      await new Promise<void>((resolve) => (release = resolve));
      if (fail) throw new Error('read failed');
      return calls;
    }, 1_000);

    const [a, b] = [shared.get(), shared.get()];
    release();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    expect(calls).toBe(1);
    expect(await shared.get()).toBe(1);

    const stale = shared.get(Date.now() + 5_000);
    release();
    expect(await stale).toBe(2);

    shared.invalidate();
    fail = true;
    const failed = shared.get();
    release();
    await expect(failed).rejects.toThrow('read failed');
    fail = false;
    const retried = shared.get();
    release();
    expect(await retried).toBe(4);
  });
});
