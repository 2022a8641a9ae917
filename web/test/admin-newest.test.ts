// The newest of overlapping loads wins (lib/admin/newest.ts): a slow old answer or error that
// arrives after a newer load started is dropped, and a next page belongs to the newest load.
import { describe, expect, it } from 'vitest';
import { NewestLoad } from '../src/lib/admin/newest.ts';

function deferred<T>() {
  let resolve: (v: T) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('NewestLoad', () => {
  it('drops an older answer that arrives after a newer one started', async () => {
    const newest = new NewestLoad();
    const shown: string[] = [];
    const slow = deferred<string>();
    const fast = deferred<string>();
    const first = newest.run(
      () => slow.promise,
      (v) => shown.push(v),
      () => shown.push('error'),
    );
    const second = newest.run(
      () => fast.promise,
      (v) => shown.push(v),
      () => shown.push('error'),
    );
    fast.resolve('new');
    slow.resolve('old');
    expect(await Promise.all([first, second])).toEqual([false, true]);
    expect(shown).toEqual(['new']);
  });

  it('drops an older error too, and reports the newest one', async () => {
    const newest = new NewestLoad();
    const errors: unknown[] = [];
    const old = newest.run(
      () => Promise.reject(new Error('old')),
      () => {},
      (e) => errors.push(e),
    );
    await newest.run(
      () => Promise.reject(new Error('new')),
      () => {},
      (e) => errors.push(e),
    );
    await old;
    expect(errors.map((e) => (e as Error).message)).toEqual(['new']);
  });

  it('lets a next page join the newest load, and a new load override it', async () => {
    const newest = new NewestLoad();
    const shown: string[] = [];
    await newest.run(
      () => Promise.resolve('page 1'),
      (v) => shown.push(v),
      () => {},
    );
    expect(
      await newest.run(
        () => Promise.resolve('page 2'),
        (v) => shown.push(v),
        () => {},
        true,
      ),
    ).toBe(true);
    const more = deferred<string>();
    const pending = newest.run(
      () => more.promise,
      (v) => shown.push(v),
      () => {},
      true,
    );
    await newest.run(
      () => Promise.resolve('filtered page 1'),
      (v) => shown.push(v),
      () => {},
    );
    more.resolve('page 3');
    expect(await pending).toBe(false);
    expect(shown).toEqual(['page 1', 'page 2', 'filtered page 1']);
  });
});
