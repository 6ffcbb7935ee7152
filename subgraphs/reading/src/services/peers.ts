import { AppError, callInternal, type Logger } from '@yuejuan/runtime';

/** What cases answers on `POST /internal/bindings/check`. */
export interface BindingCheck {
  exists: boolean;
  bound: boolean;
  procuratorateId: string | null;
  caseName: string | null;
  onlineReadingEnabled: boolean;
  readingExclusion: { category: string; reason: string } | null;
}

export interface SmsRequest {
  to: { recipientId: string; role: 'LAWYER' };
  kind: 'PACKAGE_READY' | 'DOCUMENT_PASSWORD';
  variables: Record<string, string>;
  dedupeKey: string;
}

export interface PeerUrls {
  cases: string;
  identity: string;
  notifications: string;
  secret: string;
}

/** The other subgraphs, through their internal routes only (never their collections). */
export function createPeers(urls: PeerUrls, logger: Logger) {
  const options = (baseUrl: string, audience: string) => ({
    baseUrl,
    audience,
    service: 'reading',
    secret: urls.secret,
  });
  return {
    /** Binding, procuratorate, pilot switch and exclusion of a case, from cases (which owns them). */
    async checkBinding(lawyerId: string | null, caseId: string): Promise<BindingCheck> {
      const res = await callInternal<BindingCheck>(
        options(urls.cases, 'cases'),
        '/internal/bindings/check',
        { lawyerId: lawyerId ?? undefined, caseId },
      );
      if (res.status !== 200)
        throw new AppError('SERVICE_UNAVAILABLE', '案件服务暂不可用，请稍后再试。', {
          serviceName: 'cases',
        });
      return res.body;
    },

    /**
     * The lawyer's name and licence number for the watermark, from identity's contacts route.
     * Null when identity cannot say: the watermark then still names the lawyer's id.
     */
    async lawyerContact(
      lawyerId: string,
    ): Promise<{ name: string; licenceNumber?: string } | null> {
      try {
        const res = await callInternal<{
          contacts?: { id: string; name: string; licenceNumber?: string }[];
        }>(options(urls.identity, 'identity'), '/internal/contacts', { ids: [lawyerId] });
        const contact =
          res.status === 200 ? res.body.contacts?.find((c) => c.id === lawyerId) : undefined;
        return contact ? { name: contact.name, licenceNumber: contact.licenceNumber } : null;
      } catch (err) {
        logger.warn({ err, lawyerId }, 'lawyer contact unavailable for the watermark');
        return null;
      }
    },

    /** Hands one SMS to notifications (the password leaves only this way). Throws when not accepted. */
    async sms(request: SmsRequest): Promise<void> {
      const res = await callInternal<{ code?: string }>(
        options(urls.notifications, 'notifications'),
        '/internal/sms',
        request,
      );
      if (res.status !== 202)
        throw new AppError('SERVICE_UNAVAILABLE', '短信服务暂不可用。', {
          serviceName: 'notifications',
          status: res.status,
          reason: res.body.code,
        });
    },
  };
}
export type Peers = ReturnType<typeof createPeers>;
