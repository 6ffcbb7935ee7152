import { timingSafeEqual } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import { internalTokenHeader, verifyInternalToken, type Logger } from '@yuejuan/runtime';
import type { NotificationsConfig } from '../config.ts';
import { parseAliyunReports } from '../providers/index.ts';
import type { NotificationsServices } from '../services/index.ts';

const sameSecret = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * HTTP routes beside /graphql:
 * - `POST /internal/sms` for identity (codes) and reading (package passwords): a SERVICE token
 *   minted for notifications, else 401 (no or bad token) / 403 (a user's token);
 * - `POST /receipts/aliyun?token=…` for Alibaba Cloud's delivery-report push (it carries no
 *   signature, so the URL holds a shared secret, SMS_ALIYUN_RECEIPT_TOKEN); only mounted when
 *   Alibaba Cloud is the provider.
 * Bodies are never logged: they hold codes and passwords.
 */
export function mountRoutes(
  app: Express,
  {
    config,
    services,
    logger,
  }: { config: NotificationsConfig; services: NotificationsServices; logger: Logger },
) {
  // The token is checked before the body is read; a malformed body is answered here, as
  // express's default handler would print the parser's message (a piece of the body) and stack.
  const serviceOnly = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const caller = await verifyInternalToken(
        config.YUEJUAN_INTERNAL_SECRET,
        'notifications',
        req.header(internalTokenHeader),
      );
      if (caller.role !== 'SERVICE') {
        res.status(403).json({ code: 'FORBIDDEN', message: '仅限内部服务调用。' });
        return;
      }
      res.locals.service = caller.service;
      next();
    } catch {
      res.status(401).json({ code: 'UNAUTHENTICATED', message: '缺少有效的服务令牌。' });
    }
  };
  const unreadable: ErrorRequestHandler = (_err, _req, res, _next) => {
    res.status(400).json({ code: 'BAD_USER_INPUT', message: '请求体不是有效的 JSON。' });
  };

  app.post(
    '/internal/sms',
    serviceOnly,
    express.json({ limit: '8kb' }),
    async (req: Request, res: Response) => {
      try {
        const answer = await services.intake(req.body);
        res.status(answer.status).json(answer.body);
      } catch (err) {
        logger.error(
          { err: (err as Error).message, service: res.locals.service },
          'internal sms request failed',
        );
        res.status(500).json({ code: 'INTERNAL_SERVER_ERROR', message: '系统繁忙，请稍后再试。' });
      }
    },
    unreadable,
  );

  const receiptToken = config.SMS_ALIYUN_RECEIPT_TOKEN;
  if (config.SMS_PROVIDER === 'aliyun' && receiptToken) {
    const tokenOnly = (req: Request, res: Response, next: NextFunction) => {
      if (sameSecret(typeof req.query.token === 'string' ? req.query.token : '', receiptToken))
        next();
      else res.status(401).json({ code: 401, msg: 'unauthorized' });
    };
    app.post(
      '/receipts/aliyun',
      tokenOnly,
      express.json({ limit: '1mb' }),
      async (req: Request, res: Response) => {
        await services.receipts.apply(parseAliyunReports(req.body));
        res.json({ code: 0, msg: '成功' }); // what Alibaba Cloud expects, else it pushes again
      },
      unreadable,
    );
  }
}
