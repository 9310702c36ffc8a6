// Keeps one pooled connection to Nova open between faults. Web servers close an idle keep-alive
// connection after a few seconds (Apache's default: 5 s, announced as "Keep-Alive: timeout=5"). The first
// request of a fault then needs a new TCP (and TLS) connection, and Node writes a request to a new
// connection only on a later turn of the event loop: after all the other work the report started (status
// writes, Events, the other resets). A GET of the compute version document (no token, a few hundred bytes,
// the request microversion discovery makes) shortly before the announced timeout keeps one socket open.
// Bounded: one request in flight, at most one per (timeout - margin); none when the server announces no
// timeout (then it keeps connections long, and the periodic warm-up reuses them) or one too short to help.

/** How long before the announced timeout the keeping request goes (the server may close a little early). */
export const keepAliveMarginMs = 1_500;

/** Announced timeouts shorter than this are not worth a request every (timeout - margin). */
export const minimumKeptTimeoutMs = 3_000;

/** The server's idle timeout from a Keep-Alive response header ("timeout=5, max=100"), in ms. */
export function keepAliveTimeoutMs(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined) return undefined;
  const match = /(?:^|[\s,])timeout\s*=\s*(\d{1,6})(?:\s*(?:,|$))/i.exec(text);
  return match === null ? undefined : Number(match[1]) * 1000;
}

/** The delay before the next keeping request, or undefined when none should be sent. */
export function keepingDelayMs(announcedTimeoutMs: number | undefined): number | undefined {
  if (announcedTimeoutMs === undefined || announcedTimeoutMs < minimumKeptTimeoutMs) return undefined;
  return announcedTimeoutMs - keepAliveMarginMs;
}

export class ConnectionKeeper {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = false;

  /** `ping`: one cheap request over the pool; resolves with the server's announced idle timeout (ms). */
  constructor(private readonly ping: () => Promise<number | undefined>) {}

  /** After a successful use of the connection (a warm-up): keeps it open from now on while the server
   * announces a usable timeout. Idempotent. */
  start(): void {
    if (this.stopped || this.timer !== undefined || this.inFlight) return;
    this.send();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private send(): void {
    this.inFlight = true;
    this.ping().then(
      (timeoutMs) => this.after(keepingDelayMs(timeoutMs)),
      // A failed request ends the keeping until the next start(): the warm-up reports Nova's problems.
      () => this.after(undefined),
    );
  }

  private after(delayMs: number | undefined): void {
    this.inFlight = false;
    if (this.stopped || delayMs === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, delayMs);
    this.timer.unref();
  }
}
