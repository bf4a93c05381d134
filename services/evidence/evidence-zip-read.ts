import yauzl from 'yauzl';

export interface ZipPart {
  path: string;
  bytes: Buffer;
  /** 0 stored, 8 deflated. */
  compressionMethod: number;
  index: number;
  /** Set when the bytes could not be read (a broken deflate stream, a size that does not match). */
  error?: string;
}

/**
 * Every entry of a ZIP file, in the order of its central directory, read with yauzl (which
 * checks entry sizes; a changed byte in compressed data shows up as an inflate error or as other
 * content). Entry-level failures are returned on the part, so the caller can name it.
 */
export function readZipParts(file: string): Promise<ZipPart[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: true, decodeStrings: true }, (err, zip) => {
      if (err || !zip) return reject(new Error(`không đọc được tệp ZIP: ${err?.message ?? 'unknown'}`));
      const parts: ZipPart[] = [];
      let index = 0;
      zip.on('error', (e: Error) => reject(new Error(`tệp ZIP hỏng: ${e.message}`)));
      zip.on('end', () => resolve(parts));
      zip.on('entry', (entry: yauzl.Entry) => {
        const part: ZipPart = { path: entry.fileName, bytes: Buffer.alloc(0), compressionMethod: entry.compressionMethod, index: index++ };
        parts.push(part);
        if (/\/$/.test(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            part.error = e?.message ?? 'cannot open';
            return zip.readEntry();
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (se: Error) => {
            part.error = se.message;
            zip.readEntry();
          });
          stream.on('end', () => {
            part.bytes = Buffer.concat(chunks);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
