/** Runs functions one at a time per key; different keys run concurrently. */
export interface KeyedLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, work) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(work, work);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      // Forget the key once nothing queues behind this call, so the map stays small.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}

/**
 * The one lock report writers share in a process: every handler that writes a report on a PR
 * holds it for that PR, so two deliveries never both see "no comment yet" and create two.
 */
export const reportWriteLock: KeyedLock = createKeyedLock();
