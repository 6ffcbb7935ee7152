// The verifier's device credential in IndexedDB: the non-extractable key pair (IndexedDB keeps
// CryptoKey objects as they are, so the private key is never turned into bytes) and the id the
// identity subgraph gave the device at activation.

/** What the verifier keeps about itself. */
export interface StoredDevice {
  deviceId: string;
  deviceName: string;
  lawyerName: string;
  activatedAt: string;
  keys: CryptoKeyPair;
}

const dbName = 'yuejuan-verifier';
const storeName = 'device';
const key = 'current';

const request = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

function open(factory: IDBFactory): Promise<IDBDatabase> {
  const req = factory.open(dbName, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(storeName);
  return request(req);
}

async function withStore<T>(
  factory: IDBFactory,
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open(factory);
  try {
    const tx = db.transaction(storeName, mode);
    const result = await request(run(tx.objectStore(storeName)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

/** The device store over an IndexedDB factory (the browser's `indexedDB`, or fake-indexeddb in tests). */
export function createDeviceStore(factory: IDBFactory = indexedDB) {
  return {
    /** The activated device, or null before activation (or after it was removed). */
    async load(): Promise<StoredDevice | null> {
      return (
        ((await withStore(factory, 'readonly', (s) => s.get(key))) as StoredDevice | undefined) ??
        null
      );
    },
    /** Keeps the device after completeActivation (replaces an earlier one). */
    async save(device: StoredDevice): Promise<void> {
      await withStore(factory, 'readwrite', (s) => s.put(device, key));
    },
    /** Forgets the device (revoked, or the lawyer re-activates). */
    async clear(): Promise<void> {
      await withStore(factory, 'readwrite', (s) => s.delete(key));
    },
  };
}
export type DeviceStore = ReturnType<typeof createDeviceStore>;
