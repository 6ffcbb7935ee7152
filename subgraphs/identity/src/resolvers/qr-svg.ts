import { qrSvg } from '../services/qr.ts';

/** `qrSvg` of LoginTicket and VerificationChallenge: rendered only when asked for. */
export const withQrSvg = { qrSvg: (parent: { qrPayload: string }) => qrSvg(parent.qrPayload) };
