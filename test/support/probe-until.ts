/**
 * Probes `url` as a kubelet does (with backoff here) until it answers `status`; fails after `timeoutMs` saying
 * what it answered last. For readiness, which follows a dependency's state and has no event to await.
 */
export async function probeUntil(url: string, status: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  for (let wait = 25; Date.now() < deadline; wait = Math.min(wait * 2, 500)) {
    last = (await fetch(url, { signal: AbortSignal.timeout(3_000) }).catch(() => ({ status: 0 }))).status;
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw new Error(`${url} answered ${last}, not ${status}, for ${timeoutMs} ms`);
}
