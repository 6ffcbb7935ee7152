// A fake camera for the verifier's 【扫一扫】: Chromium plays a Y4M video file as the camera
// (--use-file-for-fake-video-capture), so the test writes into that file what the phone's
// camera would see: the QR the portal shows, rendered from its text with the qrcode package,
// or a plain grey picture (the face step, and between scans so no stale QR is read).
import { writeFileSync, renameSync } from 'node:fs';
import QRCode from 'qrcode';

/** Frame size: even (4:2:0 chroma planes are half size) and large enough for jsQR at 640 px. */
const side = 480;

/** A Y4M (YUV4MPEG2, 4:2:0) file of `frames` copies of the luma picture `y` (side × side). */
function y4m(y: Uint8Array, frames: number): Buffer {
  const header = Buffer.from(`YUV4MPEG2 W${side} H${side} F10:1 Ip A1:1 C420jpeg\n`);
  const chroma = Buffer.alloc((side / 2) * (side / 2) * 2, 128); // neutral U and V: grey scale
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.from(y), chroma]);
  return Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]);
}

/** The luma plane of `text` as a QR code: black modules on white, a 4-module quiet zone. */
export function qrLuma(text: string): Uint8Array {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const scale = Math.floor(side / (modules.size + 8));
  const offset = Math.floor((side - modules.size * scale) / 2);
  const y = new Uint8Array(side * side).fill(235);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let dy = 0; dy < scale; dy++)
        y.fill(
          16,
          (offset + row * scale + dy) * side + offset + col * scale,
          (offset + row * scale + dy) * side + offset + (col + 1) * scale,
        );
    }
  }
  return y;
}

/** Writes the file atomically: Chromium may open it at any moment. */
function write(path: string, data: Buffer) {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

/** The camera sees the QR code of `text`. */
export const showQr = (path: string, text: string): void => write(path, y4m(qrLuma(text), 5));

/** The camera sees a plain grey picture (no QR). */
export const showNothing = (path: string): void =>
  write(path, y4m(new Uint8Array(side * side).fill(128), 5));
