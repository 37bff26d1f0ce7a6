// The one poll loop of the end-to-end tests: call `fn` every `everyMs` until it returns something
// truthy, and fail naming `what` after `ms`.
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  ms = 30_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
