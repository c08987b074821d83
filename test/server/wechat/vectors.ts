/**
 * Published WeChat crypto vectors (shared/wechat/VECTORS.md and PROTOCOL.md §1.2). Values are
 * copied verbatim; `derived` ones were computed independently, not published by the source.
 */

/** V1: official Java sample `pamtest` (WxJava copy of WXBizMsgCryptTest) */
export const V1 = {
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  token: 'pamtest',
  timestamp: '1409304348',
  nonce: 'xxxxxx',
  appId: 'wxb11529c136998cb6',
  randomStr: 'aaaabbbbccccdddd',
  replyMsg: '我是中文abcd123',
  afterAesEncrypt: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
  replyMsg2:
    '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>',
  afterAesEncrypt2:
    'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb',
  /** inbound wrapper used by the source test; %1$s = Encrypt */
  wrapper: (encrypt: string) => `<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  derived: {
    aesKeyHex: '69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051',
    ivHex: '69b71d79f8218a39259a7a29aabb2dba',
    signature: '76480565cbe296026c53aaacd1ad523a1ddba24f',
    msgSignature1: '82c962d39941aa48552f90ef55aa323dc620cc10',
    msgSignature2: 'ea88b765074e41eb8c7a75b449db34fa2fd560d5',
  },
};

/** V3: official Python sample, compatible-mode body */
export const V3 = {
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  token: 'spamtest',
  nonce: '1320562132',
  appId: 'wx2c2769f8efd9abc2',
  timestamp: '1409735669',
  msgSign: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
  encrypt:
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
  get fromXml() {
    return `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[${this.encrypt}]]></Encrypt></xml>`;
  },
  derived: {
    random: '89465c840c5f116f',
    msgLen: 280,
    appId: 'wx2c2769f8efd9abc2',
    plaintext: [
      '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>',
      '<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>',
      '<CreateTime>1409735668</CreateTime>',
      '<MsgType><![CDATA[text]]></MsgType>',
      '<Content><![CDATA[abcdteT]]></Content>',
      '<MsgId>6054768590064713728</MsgId>',
      '</xml>',
    ].join('\n'),
  },
};

/** V9: wechatpy crypto tests (WeCom style: the corp id is the trailing id) */
export const V9 = {
  token: '123456',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  corpId: 'wx49f0ab532d5d035a',
  checkSignature: {
    signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
    timestamp: '1411443780',
    nonce: '437374425',
    echoStr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
    derivedEcho: '5927782489442352469',
  },
  encryptMessage: {
    random: '1234567890123456',
    nonce: '461056294',
    timestamp: '1411525903',
    reply: [
      '<xml>',
      '<MsgType><![CDATA[text]]></MsgType>',
      '<Content><![CDATA[test]]></Content>',
      '<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>',
      '<ToUserName><![CDATA[messense]]></ToUserName>',
      '<AgentID>1</AgentID>',
      '<CreateTime>1411525903</CreateTime>',
      '</xml>',
    ].join('\n'),
    encrypt:
      '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3',
    get expected() {
      return [
        '<xml>',
        `<Encrypt><![CDATA[${this.encrypt}]]></Encrypt>`,
        '<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature>',
        '<TimeStamp>1411525903</TimeStamp>',
        '<Nonce><![CDATA[461056294]]></Nonce>',
        '</xml>',
      ].join('\n');
    },
    msgSignature: '407518b7649e86ef23978113f92d27afa9296533',
  },
  decryptMessage: {
    msgSignature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
    timestamp: '1411525903',
    nonce: '461056294',
    encrypt:
      'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=',
    get body() {
      return [
        '<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>',
        `<Encrypt><![CDATA[${this.encrypt}]]></Encrypt>`,
        '<AgentID><![CDATA[1]]></AgentID>',
        '</xml>',
      ].join('\n');
    },
    derivedPlaintext: [
      '<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>',
      '<FromUserName><![CDATA[messense]]></FromUserName>',
      '<CreateTime>1411525903</CreateTime>',
      '<MsgType><![CDATA[text]]></MsgType>',
      '<Content><![CDATA[test]]></Content>',
      '<MsgId>4363689963896700987</MsgId>',
      '<AgentID>1</AgentID>',
      '</xml>',
    ].join('\n'),
  },
};

/** V10: node-webot/wechat-crypto getSignature */
export const V10 = {
  token: 'RMNlACHlV5ThzfRlVS4D4',
  encodingAesKey: 'bAZC8S8nz5fcQ0Ui2HxQVGbC6FzyrzWKSuDbmzpBo3G',
  corpId: 'wx1570bcc0b3cf8bd0',
  signature: '8edac0945683c119ee71c9f6256d76c48aa08a96',
};

/** V6: official doc worked example of URL verification (PROTOCOL.md §1.2) */
export const V6 = {
  token: 'AAAAA',
  timestamp: '1714036504',
  nonce: '1514711492',
  signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
  echostr: '4375120948345356249',
};
