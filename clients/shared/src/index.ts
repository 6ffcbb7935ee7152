// @yuejuan/client-shared: what the portal, the verifier and the console share.
export { createApi, type Api, type ApiOptions } from './client.ts';
export { createBrowserApp, pageWsUrl, type BrowserApp, type LoginAnswer } from './browser.ts';
export {
  ApiError,
  errorMessages,
  fallbackMessage,
  fromGraphqlErrors,
  messageFor,
  networkError,
  retryAfterSeconds,
  toApiError,
} from './errors.ts';
export * from './format.ts';
export { parseQrPayload, qrKindLabels, type QrKind, type QrPayload } from './qr.ts';
export {
  base64url,
  canonicalString,
  generateDeviceKey,
  publicKeyJwk,
  signAction,
  type SignedAction,
  type SignedTicketActionInput,
} from './signing.ts';
export { createDeviceStore, type DeviceStore, type StoredDevice } from './device-store.ts';
export { createTokenStore, type TokenStore } from './token.ts';
export { createCountdown } from './countdown.svelte.ts';
export { createRefresh } from './refresh.ts';
export { regionDrag, regionStyle, type Region } from './region-drag.ts';
export {
  checkDownload,
  downloadCookieName,
  fetchImage,
  saveTextFile,
  startBrowserDownload,
  uploadFile,
  type Uploaded,
} from './transfer.ts';
