/** Polls until `check` resolves, every `everyMs`; after `ms` its last failure is rethrown. */
export async function eventually<T>(check: () => Promise<T>, ms = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
