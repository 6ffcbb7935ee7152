import type { Readable, Writable } from 'node:stream';

/** A stream whose chunks may be handed back for reuse once written (the fs store's BlobFileStream). */
type Recycling = Readable & { recycle?(chunk: Buffer): void };

/**
 * Writes `source` to `target` (a download's response) and ends it, as `pipe` does: pausing
 * while the socket's buffer is full (res.write() answered false) and resuming on 'drain', so a
 * slow client never makes the server read ahead. Unlike `pipe`, it hands each chunk back to a
 * recycling source once the socket has taken it, so a download keeps reusing a few buffers
 * instead of leaving dead ones for the garbage collector. Answers a live count of bytes handed
 * to the socket.
 */
export function sendStream(source: Recycling, target: Writable): { readonly bytes: number } {
  const progress = { bytes: 0 };
  const recycle = source.recycle?.bind(source);
  source.on('data', (chunk: Buffer) => {
    progress.bytes += chunk.length;
    const more = target.write(
      chunk,
      recycle
        ? (err) => {
            if (!err) recycle(chunk);
          }
        : undefined,
    );
    if (!more) source.pause();
  });
  target.on('drain', () => source.resume());
  source.on('end', () => target.end());
  return progress;
}
