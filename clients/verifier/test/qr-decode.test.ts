import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { decodeQr } from '../src/lib/qr-decode.ts';
import { deviceName } from '../src/lib/app-name.ts';

// A QR code drawn as RGBA pixels, as a camera frame or a photo would give them to jsQR.
function render(text: string, scale = 6, margin = 4): { data: Uint8ClampedArray; size: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const size = (n + margin * 2) * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      if (!qr.modules.get(y, x)) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + margin) * scale + dy) * size + (x + margin) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
    }
  return { data, size };
}

describe('decodeQr', () => {
  it('reads the login payload the portal shows', () => {
    const payload = 'yuejuan://login?id=AbCdEfGhIjKlMnOpQrSt&nonce=n0nce_-AB12';
    const { data, size } = render(payload);
    expect(decodeQr(data, size, size)).toBe(payload);
  });

  it('answers null for a picture without a QR code', () => {
    const blank = new Uint8ClampedArray(200 * 200 * 4).fill(255);
    expect(decodeQr(blank, 200, 200)).toBeNull();
  });
});

describe('deviceName', () => {
  it('names the browser and the system', () => {
    expect(
      deviceName(
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
      ),
    ).toBe('Chrome · Android');
    expect(
      deviceName(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari · iOS');
    expect(deviceName('Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.49')).toBe(
      '微信 · iOS',
    );
  });
});
