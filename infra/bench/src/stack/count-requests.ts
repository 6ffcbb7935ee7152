// Preloaded into each subgraph process by the harness (node --import): counts the HTTP
// requests the process receives, per path, and answers the counts over the IPC channel.
// One integer increment per request: it does not distort what is measured.
import http from 'node:http';

const counts = new Map<string, number>();
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (
  this: http.Server,
  event: string | symbol,
  ...args: unknown[]
) {
  if (event === 'request') {
    const url = (args[0] as http.IncomingMessage).url ?? '';
    const path = url.split('?')[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
  }
  return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
} as typeof emit;

process.on('message', (message) => {
  if (message === 'bench:counts')
    process.send?.({ type: 'bench:counts', counts: Object.fromEntries(counts) });
});
// The channel must not keep a subgraph alive once it wants to exit.
process.channel?.unref();
