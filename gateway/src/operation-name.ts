// An operationName the document does not define is the client's mistake: 400 with a stable
// code. Left alone, @apollo/gateway's executor throws INVALID_GRAPHQL from inside execution,
// which Apollo Server answers with 500.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** Refuses a request whose operationName names no operation of its document (or none of several). */
export const operationNamePlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        if (operation) return;
        const message = request.operationName
          ? `请求中没有名为“${request.operationName.slice(0, 64)}”的操作。`
          : '请求包含多个操作，请指定 operationName。';
        throw new GraphQLError(message, {
          extensions: { code: 'OPERATION_NOT_FOUND', http: { status: 400 } },
        });
      },
    };
  },
};
