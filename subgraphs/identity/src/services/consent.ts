/** The text of 授权信息, versioned: each acceptance stores the version it agreed to. */
export const consentText = {
  version: '2025-01',
  items: ['姓名', '身份证号', '执业证号', '律师事务所', '手机号码'],
  body:
    '为办理律师在线阅卷等业务，您同意中国律师身份核验平台将经核验的以下身份信息提供给12309中国检察网：' +
    '姓名、身份证号、执业证号、律师事务所、手机号码。上述信息仅用于身份识别和业务办理，依法予以保密。',
};
