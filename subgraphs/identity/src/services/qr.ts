import QRCode from 'qrcode';

/** What a QR code is for. */
export type QrKind = 'LOGIN' | 'STEP_UP';

const paths: Record<QrKind, string> = { LOGIN: 'login', STEP_UP: 'step-up' };
const pattern =
  /^yuejuan:\/\/(login|step-up)\?id=([A-Za-z0-9_-]{16,64})&nonce=([A-Za-z0-9_-]{8,64})$/;

/** The QR payload: kind, id and nonce; never a secret that lets the scanner's holder redeem anything. */
export const qrPayload = (kind: QrKind, id: string, nonce: string): string =>
  `yuejuan://${paths[kind]}?id=${id}&nonce=${nonce}`;

/** Parses a scanned payload, or null when it is not one of ours. */
export function parseQrPayload(
  payload: string,
): { kind: QrKind; id: string; nonce: string } | null {
  const m = typeof payload === 'string' ? pattern.exec(payload) : null;
  if (!m) return null;
  return { kind: m[1] === 'login' ? 'LOGIN' : 'STEP_UP', id: m[2]!, nonce: m[3]! };
}

/** The payload rendered as an SVG QR code. */
export const qrSvg = (payload: string): Promise<string> =>
  QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
