import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type fs from 'node:fs';

/** What a base64 string of a JSON submission became: its decoded bytes in memory, or a temporary file. */
export class DecodedContent {
  constructor(
    readonly size: number,
    readonly sha256: string,
    readonly bytes?: Buffer,
    readonly path?: string,
  ) {}
}

export class Base64ContentError extends Error {
  constructor(
    readonly reason: 'not-base64' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

const NOT_BASE64 = /[^A-Za-z0-9+/=\s]/;
const SPACE = /\s+/g;

/**
 * Decodes base64 text as it arrives, a piece at a time: the text is never whole in memory, nor
 * the decoded bytes above `memoryLimit` (they go to a temporary file opened by `openSpill`).
 * Hashes (SHA-256) and counts while decoding; refuses a character outside base64 (and JSON
 * whitespace), anything after the padding, and more than `maxBytes` decoded bytes.
 */
export class Base64SpillSink {
  private carry = '';
  private padded = false;
  private pads = 0;
  private size = 0;
  private readonly hash: Hash = createHash('sha256');
  private chunks: Buffer[] = [];
  private out: { path: string; stream: fs.WriteStream } | undefined;
  private failed: Error | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly memoryLimit: number,
    private readonly openSpill: () => { path: string; stream: fs.WriteStream },
  ) {}

  /** A piece of the base64 text (latin1/ASCII), in order. */
  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (NOT_BASE64.test(text)) throw new Base64ContentError('not-base64', 'base64');
    let t = text.replace(SPACE, '');
    if (t.length === 0) return;
    if (this.padded) {
      this.pads += t.length;
      if (/[^=]/.test(t) || this.pads > 2) throw new Base64ContentError('not-base64', 'base64');
      return;
    }
    const pad = t.indexOf('=');
    if (pad >= 0) {
      const tail = t.slice(pad);
      this.pads = tail.length;
      if (/[^=]/.test(tail) || this.pads > 2) throw new Base64ContentError('not-base64', 'base64');
      this.padded = true;
      t = t.slice(0, pad);
    }
    const all = this.carry + t;
    const whole = all.length - (all.length % 4);
    this.carry = all.slice(whole);
    if (whole > 0) await this.emit(Buffer.from(all.slice(0, whole), 'base64'));
  }

  /** The end of the text: the last bytes, the file closed. */
  async end(): Promise<DecodedContent> {
    if (this.carry.length === 1) throw new Base64ContentError('not-base64', 'base64');
    if (this.carry.length > 0) await this.emit(Buffer.from(this.carry, 'base64'));
    this.carry = '';
    const sha256 = this.hash.digest('hex');
    if (!this.out) {
      const bytes = Buffer.concat(this.chunks, this.size);
      this.chunks = [];
      return new DecodedContent(this.size, sha256, bytes);
    }
    const { path, stream } = this.out;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
    if (this.failed) throw this.failed;
    return new DecodedContent(this.size, sha256, undefined, path);
  }

  private async emit(bytes: Buffer): Promise<void> {
    this.size += bytes.length;
    if (this.size > this.maxBytes) throw new Base64ContentError('too-large', `more than ${this.maxBytes} bytes`);
    this.hash.update(bytes);
    if (!this.out) {
      this.chunks.push(bytes);
      if (this.size <= this.memoryLimit) return;
      this.out = this.openSpill();
      this.out.stream.on('error', (err) => (this.failed = err));
      const held = this.chunks;
      this.chunks = [];
      for (const c of held) this.out.stream.write(c);
    } else if (!this.out.stream.write(bytes)) {
      await once(this.out.stream, 'drain');
    }
    if (this.out.stream.writableNeedDrain) await once(this.out.stream, 'drain');
    if (this.failed) throw this.failed;
  }
}
