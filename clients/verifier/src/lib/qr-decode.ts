// Reading a QR code from pixels with jsQR: camera frames and uploaded photos alike.
import jsQR from 'jsqr';

/** The text of the QR code in an RGBA image, or null when none is found. */
export function decodeQr(data: Uint8ClampedArray, width: number, height: number): string | null {
  return jsQR(data, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

/** Draws a video frame or an image on a canvas (scaled down to at most `max` px) and decodes it. */
export function decodeFrom(
  source: CanvasImageSource,
  width: number,
  height: number,
  canvas: HTMLCanvasElement,
  max = 1024,
): string | null {
  const scale = Math.min(1, max / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return decodeQr(image.data, image.width, image.height);
}

/** Decodes an uploaded photo or screenshot of a QR code. */
export async function decodeFile(file: Blob, canvas: HTMLCanvasElement): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    return decodeFrom(bitmap, bitmap.width, bitmap.height, canvas);
  } finally {
    bitmap.close();
  }
}
