/**
 * Something expensive to load (Next.js and the editor's code: tens of megabytes; a library only some nodes use,
 * such as an SDK: megabytes of code each) loaded by the first caller that needs it, not at start-up. Callers
 * arriving while it loads wait for the same load; a load that failed is tried again by the next caller rather
 * than kept as the answer for the life of the process.
 */
export function onFirstUse<T>(load: () => Promise<T>): { get(): Promise<T>; loaded(): T | undefined } {
  let pending: Promise<T> | undefined;
  let value: T | undefined;
  return {
    get() {
      pending ??= load().then(
        (loadedValue) => (value = loadedValue),
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    loaded: () => value,
  };
}
