import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { SpanKind } from '@opentelemetry/api';
import { contextFromTraceparent, inSpan, traceparentOf } from '@yuejuan/platform';

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * graphql-js's `subscribe`, except that every event is executed with a fresh context from
 * `contextFor`: a subscription lives for hours, and per-request DataLoaders kept that long would
 * answer later events with the documents cached at the first one (stale statuses).
 */
export async function subscribeFreshPerEvent(
  args: ExecutionArgs,
  contextFor: (base: unknown) => unknown,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source as ExecutionResult;
  const events = source[Symbol.asyncIterator]();
  const field = getOperationAST(args.document, args.operationName)?.selectionSet.selections[0];
  const spanName = `subscription ${field?.kind === Kind.FIELD ? field.name.value : 'event'}`;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const event = await events.next();
      if (event.done) return { value: undefined, done: true };
      // The delivery continues the publisher's trace, and hands it on to the gateway (which
      // completes the event across the other subgraphs) in the result's extensions.
      const traceparent = (event.value as { traceparent?: unknown } | null)?.traceparent;
      const result = await inSpan(
        spanName,
        {
          kind: SpanKind.CONSUMER,
          parent: contextFromTraceparent(typeof traceparent === 'string' ? traceparent : null),
        },
        async () => {
          const executed = await execute({
            ...args,
            rootValue: event.value,
            contextValue: contextFor(args.contextValue),
          });
          const handOn = traceparentOf();
          return handOn
            ? { ...executed, extensions: { ...executed.extensions, traceparent: handOn } }
            : executed;
        },
      );
      return { value: result, done: false };
    },
    async return() {
      await events.return?.();
      return { value: undefined, done: true };
    },
    async throw(err) {
      await events.return?.();
      throw err;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
