// The limit of the subscription benchmark: a bare graphql-ws server that pushes the same
// events to its subscribers from memory (no database, no bus, no federation). POST /publish
// {id, status} stamps the event and hands it to every subscriber.
import http from 'node:http';
import { buildSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';

const schema = buildSchema(/* GraphQL */ `
  type Query {
    ok: Boolean
  }
  type Change {
    id: ID!
    status: String!
    sentAt: Float!
  }
  type Subscription {
    bindingApplicationChanged: Change!
  }
`);
type Change = { id: string; status: string; sentAt: number };
const listeners = new Set<(c: Change) => void>();

function changes(): AsyncIterableIterator<{ bindingApplicationChanged: Change }> {
  const queue: Change[] = [];
  let wake: ((r: IteratorResult<{ bindingApplicationChanged: Change }>) => void) | null = null;
  const push = (c: Change) => {
    if (wake) {
      const w = wake;
      wake = null;
      w({ value: { bindingApplicationChanged: c }, done: false });
    } else queue.push(c);
  };
  listeners.add(push);
  const it: AsyncIterableIterator<{ bindingApplicationChanged: Change }> = {
    next: () =>
      queue.length
        ? Promise.resolve({ value: { bindingApplicationChanged: queue.shift()! }, done: false })
        : new Promise((r) => {
            wake = r;
          }),
    return: async () => {
      listeners.delete(push);
      wake?.({ value: undefined, done: true });
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const { id, status } = JSON.parse(body) as { id: string; status: string };
      const change = { id, status, sentAt: Date.now() };
      for (const l of listeners) l(change);
      res.end(JSON.stringify({ sentAt: change.sentAt, listeners: listeners.size }));
    });
    return;
  }
  res.end(JSON.stringify({ status: 'ok', listeners: listeners.size }));
});
const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: 64 * 1024 });
useServer({ schema, roots: { subscription: { bindingApplicationChanged: changes } } }, wss);
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
