// File transfers beside GraphQL: uploads with progress (XMLHttpRequest: fetch has no upload
// progress) and resumable ranged downloads with the SHA-256 checked in the browser.
import { ApiError, messageFor, networkError } from './errors.ts';

/** What an upload route answers (attachment or volume), at least its id. */
export type Uploaded = { id: string } & Record<string, unknown>;

/**
 * POSTs one file as the request body to `url` (e.g. `/uploads/attachments?kind=LICENCE&fileName=…`)
 * with the bearer token; `onProgress(0..1)` as bytes leave. Resolves with the route's JSON.
 */
export function uploadFile(url: string, file: Blob, token: string | null, onProgress: (share: number) => void): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(networkError());
    xhr.onload = () => {
      let body: any = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* answered below */ }
      if (xhr.status >= 200 && xhr.status < 300 && body?.id) {
        onProgress(1);
        resolve(body as Uploaded);
        return;
      }
      const entry = body?.errors?.[0] ?? body;
      const code: string = entry?.extensions?.code ?? entry?.code ?? (xhr.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL_SERVER_ERROR');
      reject(new ApiError(code, messageFor(code, entry?.message)));
    };
    xhr.send(file);
  });
}

/** A finished download: the bytes and what the page tells the lawyer about them. */
export interface Downloaded {
  blob: Blob;
  sizeBytes: number;
  sha256: string;
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Downloads `url` in ranged chunks with the bearer token, resuming after a dropped connection
 * from the last byte received (up to `retries` times), then checks the SHA-256 against
 * `expectedSha256`. `onProgress(received, total)` after each chunk.
 */
export async function downloadResumable(
  url: string,
  options: { token: string | null; sizeBytes: number; expectedSha256?: string; chunkBytes?: number; retries?: number; onProgress?: (received: number, total: number) => void; fetch?: typeof fetch },
): Promise<Downloaded> {
  const doFetch = options.fetch ?? fetch;
  const chunk = options.chunkBytes ?? 4 * 1024 * 1024;
  const parts: Uint8Array[] = [];
  let received = 0;
  let retries = options.retries ?? 5;
  while (received < options.sizeBytes) {
    const end = Math.min(received + chunk, options.sizeBytes) - 1;
    try {
      const res = await doFetch(url, { headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), range: `bytes=${received}-${end}` } });
      if (res.status !== 206 && res.status !== 200) {
        const body = (await res.json().catch(() => null)) as any;
        const entry = body?.errors?.[0] ?? body;
        const code: string = entry?.extensions?.code ?? entry?.code ?? (res.status === 410 ? 'GONE' : 'INTERNAL_SERVER_ERROR');
        throw new ApiError(code, messageFor(code, entry?.message));
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      // A 200 is the whole file from byte 0 (a server that ignored Range): start over with it.
      if (res.status === 200) { parts.length = 0; received = 0; }
      parts.push(bytes);
      received += bytes.length;
      options.onProgress?.(received, options.sizeBytes);
      if (bytes.length === 0) throw networkError();
    } catch (err) {
      if (err instanceof ApiError && err.code !== 'NETWORK_ERROR') throw err;
      if (retries-- <= 0) throw networkError();
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const blob = new Blob(parts as BlobPart[], { type: 'application/zip' });
  const sha256 = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  if (options.expectedSha256 && sha256 !== options.expectedSha256.toLowerCase()) {
    throw new ApiError('CHECKSUM_MISMATCH', '下载的文件校验失败（SHA-256 不一致），请重新下载。');
  }
  return { blob, sizeBytes: received, sha256 };
}

/** Hands a downloaded blob to the browser's save dialog under `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
