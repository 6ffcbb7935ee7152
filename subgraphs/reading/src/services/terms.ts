/**
 * 申请在线阅卷须知 and 阅卷承诺书, versioned: an application stores the versions it accepted,
 * so a later change of wording never rewrites what a lawyer agreed to.
 */
export const readingTerms = {
  notice: {
    version: '2025-01',
    title: '申请在线阅卷须知',
    body: [
      '一、在线阅卷仅适用于已绑定且开通网上阅卷的检察院受理的案件；涉及国家秘密、未成年人等不宜网上阅卷的案件除外。',
      '二、申请经检察人员审核同意后，案件卷宗制作完成时，系统将以短信方式发送卷宗下载密码和卷宗文档打开密码。',
      '三、下载卷宗须确认回执并使用中国律师身份核验扫码核验身份；下载密码连续输错将被临时锁定。',
      '四、卷宗每页均带有可识别阅卷律师身份的水印，每次下载均被记录。',
    ].join('\n'),
  },
  undertaking: {
    version: '2025-01',
    title: '阅卷承诺书',
    body: [
      '本人承诺：依法使用所获取的案件材料，仅用于本案辩护或代理工作；',
      '不向案件无关人员泄露、传播案卷内容，不上传至互联网或交由他人保管；',
      '妥善保管下载密码和文档打开密码；违反上述承诺的，依法承担相应责任。',
    ].join('\n'),
  },
} as const;
