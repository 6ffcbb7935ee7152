/** Content types accepted for uploads, with their magic bytes and file name extensions. */
export const fileKinds = {
  'application/pdf': { magic: [[0x25, 0x50, 0x44, 0x46, 0x2d]], extensions: ['.pdf'] }, // %PDF-
  'image/jpeg': { magic: [[0xff, 0xd8, 0xff]], extensions: ['.jpg', '.jpeg'] },
  'image/png': { magic: [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]], extensions: ['.png'] },
} as const;
export type AcceptedContentType = keyof typeof fileKinds;

/** How many leading bytes `sniffContentType` needs. */
export const sniffLength = 8;

/** The accepted content type whose magic bytes start `head`, or null. */
export function sniffContentType(head: Uint8Array): AcceptedContentType | null {
  for (const [type, { magic }] of Object.entries(fileKinds) as [
    AcceptedContentType,
    (typeof fileKinds)[AcceptedContentType],
  ][]) {
    if (magic.some((m) => m.length <= head.length && m.every((b, i) => head[i] === b))) return type;
  }
  return null;
}

/**
 * Why an upload is not what it claims, or null: the declared content type must be accepted,
 * the magic bytes must match it, and the file name's extension must belong to it (a lying
 * extension is refused even when the bytes are fine).
 */
export function contentProblem(
  declared: string | undefined,
  fileName: string,
  head: Uint8Array,
  allowed: readonly AcceptedContentType[],
): string | null {
  const type = (declared ?? '').split(';')[0]!.trim().toLowerCase() as AcceptedContentType;
  if (!allowed.includes(type))
    return `只接受 ${allowed.map((t) => fileKinds[t].extensions[0]!.slice(1).toUpperCase()).join('/')} 文件。`;
  if (sniffContentType(head) !== type) return '文件内容与声明的类型不符。';
  const lower = fileName.toLowerCase();
  if (!fileKinds[type].extensions.some((ext) => lower.endsWith(ext)))
    return '文件扩展名与文件类型不符。';
  return null;
}
