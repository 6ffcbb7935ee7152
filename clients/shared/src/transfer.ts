// File transfers beside GraphQL: uploads with progress (XMLHttpRequest: fetch has no upload
// progress) and downloads handed to the browser's own download manager (saved to disk, resumable).
import { ApiError, messageFor, networkError } from './errors.ts';

/** What an upload route answers (attachment or volume), at least its id. */
export type Uploaded = { id: string } & Record<string, unknown>;

/**
 * POSTs one file as the request body to `url` (e.g. `/uploads/attachments?kind=LICENCE&fileName=…`)
 * with the bearer token; `onProgress(0..1)` as bytes leave. Resolves with the route's JSON.
 */
export function uploadFile(
  url: string,
  file: Blob,
  token: string | null,
  onProgress: (share: number) => void,
): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(networkError());
    xhr.onload = () => {
      type Answer = {
        id?: string;
        code?: string;
        message?: string;
        extensions?: { code?: string };
      };
      let body: (Answer & { errors?: Answer[] }) | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* answered below */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body?.id) {
        onProgress(1);
        resolve(body as Uploaded);
        return;
      }
      const entry = body?.errors?.[0] ?? body;
      const code: string =
        entry?.extensions?.code ??
        entry?.code ??
        (xhr.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL_SERVER_ERROR');
      reject(new ApiError(code, messageFor(code, entry?.message)));
    };
    xhr.send(file);
  });
}

/** The cookie the app's server turns into the download request's `x-download-key` header. */
export const downloadCookieName = 'yj_download';

const statusCodes: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  410: 'GONE',
  416: 'BAD_REQUEST',
  429: 'RATE_LIMITED',
};

/**
 * Asks the download route whether `url` can be fetched now (HEAD with the bearer token: no
 * bytes, no audit record), so an expired or foreign link is explained on the page instead of
 * failing silently in the browser's download list.
 */
export async function checkDownload(
  url: string,
  token: string | null,
  doFetch: typeof fetch = fetch,
): Promise<void> {
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'HEAD',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch {
    throw networkError();
  }
  if (res.ok) return;
  const code = statusCodes[res.status] ?? 'INTERNAL_SERVER_ERROR';
  throw new ApiError(
    code,
    messageFor(code, code === 'GONE' ? '下载链接已过期，请重新输入下载密码。' : undefined),
  );
}

/**
 * Hands `url` to the browser's own download manager: it saves to disk as bytes arrive (never
 * the whole file in page memory) and resumes an interrupted download with Range/If-Range.
 * A navigation cannot carry the Authorization header, so the grant's own download key (never
 * the session token) goes in a cookie scoped to exactly this download path (SameSite=Strict,
 * gone when the link expires); the app's server (server/proxy.ts) turns it into the
 * `x-download-key` header and never forwards the cookie.
 */
export function startBrowserDownload(
  url: string,
  fileName: string,
  downloadKey: string,
  expiresAt: string,
  doc: Document = document,
): void {
  const path = new URL(url, doc.location.href).pathname;
  const secure = doc.location.protocol === 'https:' ? '; Secure' : '';
  doc.cookie = `${downloadCookieName}=${encodeURIComponent(downloadKey)}; Path=${path}; Expires=${new Date(expiresAt).toUTCString()}; SameSite=Strict${secure}`;
  const a = doc.createElement('a');
  a.href = path;
  a.download = fileName;
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
}

/** Saves text made in the page (an .ics calendar file) as a file, through the browser's download. */
export function saveTextFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * GETs an image route (在线阅卷's pages) with the bearer token; resolves with the image, or
 * with null for a 204 (a prefetch). Errors carry the route's code and Chinese message.
 */
export async function fetchImage(
  url: string,
  token: string | null,
  signal?: AbortSignal,
  doFetch: typeof fetch = fetch,
): Promise<Blob | null> {
  let res: Response;
  try {
    res = await doFetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw networkError();
  }
  if (res.status === 204) return null;
  if (res.ok) return res.blob();
  const body = (await res.json().catch(() => null)) as { code?: string; message?: string } | null;
  const code = body?.code ?? statusCodes[res.status] ?? 'INTERNAL_SERVER_ERROR';
  throw new ApiError(code, messageFor(code, body?.message));
}
