// The search's text handling: pdftotext's and Tesseract's word lists, and matching that ignores
// how a page's Chinese text was cut into words.
import { describe, expect, it } from 'vitest';
import { matchPage, parseBbox, parseTsv } from '../../src/services/page-text.ts';

describe('page text', () => {
  it('reads words and boxes from pdftotext -bbox, as fractions of the page, entities decoded, NFKC', () => {
    const pages = parseBbox(`<doc><page width="500.000000" height="1000.000000">
      <word xMin="50.000000" yMin="100.000000" xMax="150.000000" yMax="120.000000">涉嫌诈骗罪</word>
      <word xMin="160.000000" yMin="100.000000" xMax="200.000000" yMax="120.000000">A&amp;Ｂ</word>
    </page><page width="500.000000" height="1000.000000"></page></doc>`);
    expect(pages).toEqual([
      [
        { text: '涉嫌诈骗罪', box: [0.1, 0.1, 0.3, 0.12] },
        { text: 'a&b', box: [0.32, 0.1, 0.4, 0.12] },
      ],
      [],
    ]);
  });

  it('reads level-5 words of Tesseract TSV, boxes relative to the page image', () => {
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t1000\t2000\t-1\t',
      '5\t1\t1\t1\t1\t1\t100\t200\t50\t40\t91.5\t投资',
      '5\t1\t1\t1\t1\t2\t150\t200\t50\t40\t90.1\t群',
      '5\t1\t1\t1\t1\t3\t200\t200\t50\t40\t95\t ',
    ].join('\n');
    expect(parseTsv(tsv)).toEqual([
      { text: '投资', box: [0.1, 0.1, 0.15, 0.12] },
      { text: '群', box: [0.15, 0.1, 0.2, 0.12] },
    ]);
  });

  it('finds a Chinese word inside a longer one and across OCR’s one-character words, with the words it covers', () => {
    expect(matchPage('犯罪嫌疑人 李某 涉嫌诈骗罪 一案', '诈骗')).toEqual([
      { before: '犯罪嫌疑人李某涉嫌', match: '诈骗', after: '罪一案', words: [2] },
    ]);
    const ocr = '我 在 一 个 投 资 交 流 群 里';
    expect(matchPage(ocr, '投资 交流群')).toEqual([
      { before: '我在一个', match: '投资交流群', after: '里', words: [4, 5, 6, 7, 8] },
    ]);
    // The stored text is normalised; the query is too (full-width letters, case).
    expect(matchPage('case abc', 'ＡＢＣ').map((m) => m.match)).toEqual(['abc']);
    expect(matchPage('无关内容', '诈骗')).toEqual([]);
    expect(matchPage('诈骗 诈骗 诈骗', '诈骗', 2)).toHaveLength(2);
  });
});
