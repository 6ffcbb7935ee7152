// The verifier's API (it has no session of its own: every scan is signed by the device key)
// and its device credential in IndexedDB.
import { redirect } from '@sveltejs/kit';
import { createBrowserApp, createDeviceStore, type StoredDevice } from '@yuejuan/client-shared';

export const app = createBrowserApp('yuejuan.verifier.session');
export const api = () => app.api();
export const devices = () => createDeviceStore(indexedDB);

/** For a page's load: this browser's activated device, or off to 激活 when it has none. */
export async function activatedDevice(): Promise<StoredDevice> {
  const device = await devices().load();
  if (!device) redirect(307, '/activate');
  return device;
}

/** The device as the signing helpers take it. */
export const signer = (d: StoredDevice) => ({
  deviceId: d.deviceId,
  privateKey: d.keys.privateKey,
});

export { deviceName } from './app-name.ts';
