// 在线阅卷's pure parts: page addresses, the widths to ask for, and the notes' Markdown outline.

/** The address of a page image of an open reading (through the app's own origin). */
export const pageUrl = (reading: string, volume: string, page: number, width: number) =>
  `/reader/${encodeURIComponent(reading)}/${encodeURIComponent(volume)}/${page}?w=${width}`;

/** The widths the server renders at: a request is answered at the next one up. */
const widths = [480, 800, 1200, 1600];
/** The width to ask for to fill `cssWidth` CSS pixels sharply on this screen. */
export const requestWidth = (cssWidth: number, dpr = 1) =>
  widths.find((w) => w >= cssWidth * dpr) ?? widths[widths.length - 1]!;

export interface OutlineNote {
  kind: string;
  volumeTitle: string;
  page: number;
  text: string;
  createdAt: string;
}

/** The lawyer's notes as a Markdown outline: one section per volume, each note with its page. */
export function notesMarkdown(caseName: string, notes: OutlineNote[], now = new Date()): string {
  const lines = [`# ${caseName} 阅卷笔记`, '', `导出时间：${now.toLocaleString('zh-CN')}`, ''];
  let volume: string | null = null;
  for (const n of notes) {
    if (n.volumeTitle !== volume) {
      volume = n.volumeTitle;
      lines.push(`## ${volume}`, '');
    }
    const text = n.text.replace(/\s*\n\s*/g, ' ').trim();
    lines.push(
      `- 第 ${n.page} 页${n.kind === 'BOOKMARK' ? '（书签）' : ''}${text ? `：${text}` : ''}`,
    );
  }
  if (notes.length === 0) lines.push('（暂无笔记）');
  return `${lines.join('\n')}\n`;
}
