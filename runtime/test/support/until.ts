/**
 * Polling with a deadline for the runtime's tests: a probe is asked until it gives a value, or the
 * test fails naming what never came. Never a fixed sleep.
 */

/** The probe's first truthy value, polled every `everyMs` for up to `deadlineMs`. */
export async function until<T>(what: string, probe: () => T | undefined | false, everyMs = 20, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
