import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from './logger.ts';

/** The stable error codes clients can rely on (extensions.code). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'STEP_UP_REQUIRED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | (string & {});

/** Default Chinese messages, used when a service throws a code without its own message. */
const defaultMessages: Record<string, string> = {
  BAD_USER_INPUT: '输入有误，请检查后重试。',
  UNAUTHENTICATED: '请先登录。',
  FORBIDDEN: '无权进行此操作。',
  NOT_FOUND: '未找到相关记录。',
  CONFLICT: '操作与当前状态冲突，请刷新后重试。',
  RATE_LIMITED: '操作过于频繁，请稍后再试。',
  STEP_UP_REQUIRED: '请先使用中国律师身份核验扫码完成身份核验。',
  SERVICE_UNAVAILABLE: '服务暂不可用，请稍后再试。',
  INTERNAL_SERVER_ERROR: '系统繁忙，请稍后再试。',
};

/** Driver errors that mean the database cannot be reached right now (nothing was decided). */
const unreachable = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/**
 * The one error class services throw: a stable code, a Chinese message for the UI and
 * optional details (never secrets). It is a GraphQLError so Apollo passes the code through.
 */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? defaultMessages[code] ?? defaultMessages.INTERNAL_SERVER_ERROR!, {
      extensions: { code, ...details },
    });
    this.name = 'AppError';
  }

  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

/**
 * Builds the one formatError of a service: coded errors pass through; errors `badInput` knows
 * (a subgraph's database validation errors) become BAD_USER_INPUT; anything else is logged with
 * its stack and, in production, hidden behind INTERNAL_SERVER_ERROR. Stacks never leave the
 * process.
 */
export function createFormatError(
  logger: Logger,
  production: boolean,
  badInput: (error: unknown) => boolean = () => false,
) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { stacktrace: _ignored, ...extensions } = (formatted.extensions ?? {}) as Record<
      string,
      unknown
    >;
    if (original instanceof AppError) return { ...formatted, extensions };
    if (badInput(original)) {
      return {
        message: defaultMessages.BAD_USER_INPUT!,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    if (original instanceof Error && unreachable.has(original.name)) {
      logger.warn({ err: original.message, path: formatted.path }, 'database unreachable');
      return {
        message: defaultMessages.SERVICE_UNAVAILABLE!,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      };
    }
    const code = extensions.code as string | undefined;
    // Errors graphql-js and Apollo raise themselves (parse, validation, variables) carry a code already.
    if (code && code !== 'INTERNAL_SERVER_ERROR') return { ...formatted, extensions };
    logger.error({ err: original, path: formatted.path }, 'unexpected resolver error');
    if (!production) return { ...formatted, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    return {
      message: defaultMessages.INTERNAL_SERVER_ERROR!,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
