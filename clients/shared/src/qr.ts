// The QR codes the portal shows and the verifier scans: `yuejuan://login?id=…&nonce=…` for
// 律师认证登录 and `yuejuan://step-up?id=…&nonce=…` for 身份核验. Same grammar as the identity
// subgraph's; the payload carries no secret, so reading it off a screen grants nothing.

/** What a QR code is for. */
export type QrKind = 'LOGIN' | 'STEP_UP';

export interface QrPayload {
  kind: QrKind;
  id: string;
  nonce: string;
  /** The payload exactly as scanned (it is what the device signs). */
  raw: string;
}

const pattern =
  /^yuejuan:\/\/(login|step-up)\?id=([A-Za-z0-9_-]{16,64})&nonce=([A-Za-z0-9_-]{8,64})$/;

/** Parses a scanned text; null when it is not one of ours (a web link, another app's code…). */
export function parseQrPayload(text: string): QrPayload | null {
  if (typeof text !== 'string') return null;
  const raw = text.trim();
  const m = pattern.exec(raw);
  if (!m) return null;
  return { kind: m[1] === 'login' ? 'LOGIN' : 'STEP_UP', id: m[2]!, nonce: m[3]!, raw };
}

/** The verifier's words for each kind, on the confirm screen and its buttons. */
export const qrKindLabels: Record<QrKind, { title: string; confirm: string }> = {
  LOGIN: { title: '律师认证登录', confirm: '确认登录' },
  STEP_UP: { title: '律师身份核验', confirm: '确认核验' },
};
