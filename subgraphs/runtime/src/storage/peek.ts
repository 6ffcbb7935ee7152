/**
 * Reads the first `n` bytes of a stream (fewer if it ends first) without losing them: returns
 * them and an iterable that yields the whole stream again, head included, so an upload's magic
 * bytes are checked before anything is stored and nothing is buffered beyond the head.
 */
export async function peekHead(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Buffer; body: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value);
    taken.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(taken);
  async function* body() {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head: head.subarray(0, n), body: body() };
}
