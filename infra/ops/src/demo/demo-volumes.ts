// Writes the demo's sample case-file volumes (infra/ops/demo/volumes/*.pdf), committed so a new
// prosecutor has a realistic Chinese case file to upload in 案件与卷宗: pages typeset by
// Chromium (A4 portrait and landscape, a real text layer in a CJK system font) and a scanned
// page (the picture of a page, grey and slightly skewed, as a scanner makes: no text layer).
// Fictitious people and facts. Rerun after changing the texts:
//
//   npx tsx infra/ops/src/demo/demo-volumes.ts     (Debian's chromium and poppler-utils)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { degrees, PDFDocument, rgb } from 'pdf-lib';
import { chromium, type Browser } from 'playwright-core';
import { demoDir } from './demo-files.ts';

interface PageText {
  title: string;
  lines: string[];
  landscape?: boolean;
}

const escape = (s: string) =>
  s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

/** One page as a PDF, typeset by Chromium. */
async function typeset(
  browser: Browser,
  p: PageText,
  caseLine: string,
  pageNo: number,
): Promise<Uint8Array> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>
      @page { size: A4 ${p.landscape ? 'landscape' : 'portrait'}; margin: 18mm 20mm; }
      body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 12pt; line-height: 1.8; }
      .case { font-size: 9pt; color: #555; } h1 { text-align: center; font-size: 20pt; letter-spacing: .3em; margin: 1.2em 0; }
      p { text-indent: 2em; margin: .3em 0; white-space: pre-wrap; } .no { position: fixed; bottom: 0; width: 100%; text-align: center; font-size: 9pt; }
    </style><body><div class="case">${escape(caseLine)}</div><h1>${escape(p.title)}</h1>${p.lines.map((l) => `<p>${escape(l)}</p>`).join('')}<div class="no">第 ${pageNo} 页</div></body></html>`);
    return await page.pdf({ preferCSSPageSize: true, printBackground: true });
  } finally {
    await page.close();
  }
}

/** A volume: the typeset pages, then (if any) the scanned one. */
async function volume(
  browser: Browser,
  pages: PageText[],
  caseLine: string,
  scanned?: PageText,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(caseLine);
  doc.setLanguage('zh-CN');
  for (const [i, p] of pages.entries()) {
    const [copied] = await doc.copyPages(
      await PDFDocument.load(await typeset(browser, p, caseLine, i + 1)),
      [0],
    );
    doc.addPage(copied!);
  }
  if (scanned) {
    const dir = mkdtempSync(join(tmpdir(), 'demo-scan-'));
    try {
      writeFileSync(
        join(dir, 'page.pdf'),
        await typeset(browser, scanned, caseLine, pages.length + 1),
      );
      execFileSync('pdftoppm', [
        '-r',
        '150',
        '-gray',
        '-jpeg',
        '-jpegopt',
        'quality=70',
        '-singlefile',
        join(dir, 'page.pdf'),
        join(dir, 'scan'),
      ]);
      const image = await doc.embedJpg(readFileSync(join(dir, 'scan.jpg')));
      const [w, h] = [595.28, 841.89];
      const page = doc.addPage([w, h]);
      page.drawRectangle({ x: 0, y: 0, width: w, height: h, color: rgb(0.93, 0.92, 0.89) });
      page.drawImage(image, { x: 14, y: 6, width: w - 24, height: h - 24, rotate: degrees(0.6) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return doc.save();
}

const caseLine = '沪检刑诉〔2025〕1234号  张某某涉嫌诈骗案';

const litigation: PageText[] = [
  {
    title: '起诉意见书',
    lines: [
      '犯罪嫌疑人张建华，男，1985年3月生，汉族，大专文化，住上海市浦东新区某路某号。因涉嫌诈骗罪，于2025年4月12日被上海市公安局浦东分局刑事拘留，同年5月16日经上海市浦东新区人民检察院批准逮捕。',
      '经依法侦查查明：2024年6月至2025年3月间，犯罪嫌疑人张建华以投资某虚拟项目可获高额回报为名，通过网络聊天软件先后骗取被害人李某、王某等七人钱款共计人民币八十六万余元，所得钱款用于个人消费及偿还债务。',
      '认定上述事实的证据如下：被害人陈述、证人证言、银行交易明细、聊天记录截图、电子数据检查笔录及犯罪嫌疑人供述与辩解等。',
      '综上所述，犯罪嫌疑人张建华以非法占有为目的，虚构事实、隐瞒真相，骗取他人财物，数额巨大，其行为已触犯《中华人民共和国刑法》第二百六十六条之规定，涉嫌诈骗罪。依照《中华人民共和国刑事诉讼法》第一百六十二条之规定，现将本案移送审查起诉。',
    ],
  },
  {
    title: '提请批准逮捕书（副本）',
    lines: [
      '犯罪嫌疑人张建华涉嫌诈骗一案，经侦查，现已查明犯罪嫌疑人有证据证明的犯罪事实，可能判处徒刑以上刑罚，采取取保候审尚不足以防止发生社会危险性。',
      '依照《中华人民共和国刑事诉讼法》第八十一条、第八十七条之规定，特提请批准逮捕。',
      '此致  上海市浦东新区人民检察院',
    ],
  },
  {
    title: '权利义务告知书',
    lines: [
      '根据《中华人民共和国刑事诉讼法》的规定，犯罪嫌疑人在侦查阶段享有下列诉讼权利：有权使用本民族语言文字进行诉讼；有权委托律师作为辩护人；对于侦查人员的提问，应当如实回答，但对与本案无关的问题有拒绝回答的权利。',
      '犯罪嫌疑人如实供述自己罪行的，可以从轻处罚；认罪认罚的，可以依法从宽处理。',
      '以上内容已向本人宣读，本人已知悉。   犯罪嫌疑人签名：张建华   2025年4月12日',
    ],
  },
];

const evidence: PageText[] = [
  {
    title: '讯问笔录（第一次）',
    lines: [
      '时间：2025年4月12日14时10分至16时35分    地点：上海市公安局浦东分局执法办案中心',
      '问：我们是上海市公安局浦东分局的侦查人员，现依法对你进行讯问，你应当如实回答，听清楚了吗？',
      '答：听清楚了。',
      '问：你把2024年6月以来以投资项目为名收取他人钱款的经过讲一下。',
      '答：我在网上认识了李某等人，跟他们说有一个数字藏品项目，投一万元每月能返两千元。前两个月我用后面的人投的钱给前面的人返了一些，后来钱不够了就返不了了。',
      '问：你收到的钱款一共有多少？用到哪里去了？',
      '答：大概八十多万元，一部分还了网贷，一部分自己花掉了。',
    ],
  },
  {
    title: '银行交易明细（摘录）',
    landscape: true,
    lines: [
      '交易日期        对方户名        摘要          金额（元）        余额（元）',
      '2024-06-18      李某            转账收入      50,000.00         53,216.40',
      '2024-07-02      王某            转账收入      120,000.00        171,002.15',
      '2024-07-05      某网络小贷      还款          -38,600.00        132,402.15',
      '2024-09-21      赵某            转账收入      200,000.00        311,880.00',
      '2025-01-09      钱某            转账收入      80,000.00         95,317.62',
      '（以上明细由某商业银行上海分行于2025年4月20日出具，加盖业务专用章。）',
    ],
  },
];
const scannedStatement: PageText = {
  title: '被害人陈述（扫描件）',
  lines: [
    '我叫李某，今年五十二岁。2024年6月，我在一个投资交流群里认识了张建华，他说自己在做数字藏品项目，保证每月百分之二十的收益。',
    '我先后转给他五万元，头两个月收到了返款，后来他就以各种理由拖延，最后电话也打不通了。我发现被骗后于2025年3月28日到派出所报案。',
    '以上笔录我看过，和我说的一样。   陈述人：李某   2025年3月28日',
  ],
};

const out = join(demoDir, 'volumes');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
try {
  writeFileSync(join(out, '第1卷 诉讼文书.pdf'), await volume(browser, litigation, caseLine));
  writeFileSync(
    join(out, '第2卷 证据材料.pdf'),
    await volume(browser, evidence, caseLine, scannedStatement),
  );
} finally {
  await browser.close();
}
console.log(`示例卷宗已写入 ${out}`);
