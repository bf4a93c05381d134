import net from 'node:net';

export interface SlowResult {
  /** Seconds until the server closed the connection, or null if it was still open at the cap. */
  cutAfterSeconds: number | null;
  /** The status line the server sent before closing, if any (408 is the polite cut). */
  answer: string | null;
}

/**
 * A client that sends `head` at once and then one byte a second, forever: the server's timeouts
 * must close it. Gives up after `capMs`.
 */
export function trickle(port: number, head: string, capMs: number): Promise<SlowResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer: string | null = null;
    let done = false;
    const finish = (cut: boolean) => {
      if (done) return;
      done = true;
      clearInterval(drip);
      clearTimeout(cap);
      socket.destroy();
      resolve({ cutAfterSeconds: cut ? Math.round((Date.now() - started) / 100) / 10 : null, answer });
    };
    socket.on('connect', () => socket.write(head));
    socket.on('data', (b) => (answer ??= b.toString('latin1').split('\r\n')[0] ?? null));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    const drip = setInterval(() => socket.writable && socket.write('a'), 1_000);
    const cap = setTimeout(() => finish(false), capMs);
  });
}

/** Headers that never end, and a body that never ends, against the gateway on `port`. */
export async function slowloris(port: number, apiKey: string, capMs: number): Promise<{ slowHeaders: SlowResult; slowBody: SlowResult }> {
  const [slowHeaders, slowBody] = await Promise.all([
    trickle(port, 'POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', capMs),
    trickle(port, `POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`, capMs),
  ]);
  return { slowHeaders, slowBody };
}
