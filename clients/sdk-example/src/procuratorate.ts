// 检察业务应用系统: a procuratorate's own case system. It authenticates with client credentials
// (no person involved), pushes its cases (idempotent by its request id) and their volumes, and
// reads its own procuratorate's cases back.
import {
  execute,
  renewBeforeMs,
  tokenRequest,
  YuejuanError,
  type ClientCredentials,
  type Endpoint,
  type Tokens,
} from './client.ts';
import {
  CaseByIdDocument,
  IntakeCaseDocument,
  type CaseByIdQuery,
  type CaseInput,
  type IntakeCaseMutation,
} from './generated/graphql.ts';

export interface ProcuratorateSystemOptions extends Endpoint, ClientCredentials {
  /** The scopes to ask for; the application's registration bounds them. */
  scope?: string;
}

/** A volume stored by `uploadVolume`. */
export interface StoredVolume {
  id: string;
  title: string;
  pageCount: number;
}

export function procuratorateSystem(options: ProcuratorateSystemOptions) {
  const scope = options.scope ?? 'cases:read cases:write volumes:write';
  let tokens: Tokens | undefined;
  /** A valid access token: fetched with client credentials, again shortly before it expires. */
  const accessToken = async () => {
    if (!tokens || tokens.expiresAt - renewBeforeMs <= Date.now())
      tokens = await tokenRequest(options, options, { grant_type: 'client_credentials', scope });
    return tokens.accessToken;
  };
  return {
    accessToken,
    /**
     * Pushes a case of the system's procuratorate, keyed by its 部门受案号. The same `requestId`
     * again answers the same case (`replayed`): retry with it after a timeout.
     */
    async intakeCase(
      requestId: string,
      input: CaseInput,
    ): Promise<IntakeCaseMutation['intakeCase']> {
      const data = await execute(options, await accessToken(), IntakeCaseDocument, {
        requestId,
        input,
      });
      return data.intakeCase;
    },
    /** One of the procuratorate's cases (null when there is none with that id). */
    async case(id: string): Promise<CaseByIdQuery['case']> {
      return (await execute(options, await accessToken(), CaseByIdDocument, { id })).case;
    },
    /** Uploads a PDF volume (卷) to one of its cases (`volumes:write`). */
    async uploadVolume(caseId: string, title: string, pdf: Uint8Array): Promise<StoredVolume> {
      const url = new URL('/uploads/volumes', options.baseUrl);
      url.search = new URLSearchParams({ caseId, title }).toString();
      const res = await (options.fetch ?? fetch)(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/pdf',
          authorization: `Bearer ${await accessToken()}`,
        },
        body: pdf,
      });
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok)
        throw new YuejuanError(
          String(body.code ?? 'HTTP_ERROR'),
          String(body.message ?? ''),
          res.status,
        );
      return body as unknown as StoredVolume;
    },
  };
}
export type ProcuratorateSystem = ReturnType<typeof procuratorateSystem>;
