import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/http/errors';
import { buildXml, parsePushXml } from '../../../server/wechat/xml';
import { V3, V9 } from './vectors';

const xmlInvalid = (text: string) => {
  try {
    parsePushXml(text);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('WECHAT_XML_INVALID');
    return;
  }
  throw new Error(`expected WECHAT_XML_INVALID for ${text.slice(0, 60)}`);
};

describe('parsePushXml', () => {
  it('unwraps CDATA and keeps every value a string (V3 plaintext, with newlines)', () => {
    expect(parsePushXml(V3.derived.plaintext)).toEqual({
      ToUserName: 'gh_10f6c3c3ac5a',
      FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      CreateTime: '1409735668',
      MsgType: 'text',
      Content: 'abcdteT',
      MsgId: '6054768590064713728',
    });
  });

  it('keeps 64-bit ids exact', () => {
    for (const id of ['6054768590064713728', '18446744073709551615', '3487542469355618313', '0012']) {
      expect(parsePushXml(`<xml><MsgId>${id}</MsgId><MsgID><![CDATA[${id}]]></MsgID></xml>`)).toEqual({ MsgId: id, MsgID: id });
    }
    expect(parsePushXml('<xml><A>1e3</A><B>0x10</B><C>true</C></xml>')).toEqual({ A: '1e3', B: '0x10', C: 'true' });
  });

  it('keeps CDATA exactly (whitespace, markup, split sections) and trims only bare text', () => {
    const x = parsePushXml(
      '<?xml version="1.0" encoding="utf-8"?>\n<xml>\n  <A><![CDATA[  two\nlines  ]]></A>\n  <B> 12 </B>\n  <C><![CDATA[<b>&amp;</b>]]></C><D><![CDATA[a]]]]><![CDATA[>b]]></D><E/><F></F><G><![CDATA[]]></G>\n</xml>\n',
    );
    expect(x).toEqual({ A: '  two\nlines  ', B: '12', C: '<b>&amp;</b>', D: 'a]]>b', E: '', F: '', G: '' });
  });

  it('decodes the five XML entities and character references in bare text', () => {
    expect(parsePushXml('<xml><A>a &lt;&gt;&amp;&quot;&apos; &#x4E2D;&#25991;</A></xml>')).toEqual({ A: 'a <>&"\' 中文' });
  });

  it('accepts a citizen message that merely mentions DOCTYPE/ENTITY inside CDATA', () => {
    expect(parsePushXml('<xml><Content><![CDATA[<!DOCTYPE html><!ENTITY x "y">]]></Content></xml>')).toEqual({
      Content: '<!DOCTYPE html><!ENTITY x "y">',
    });
    expect(parsePushXml('<xml><!-- <!DOCTYPE is only a comment here --><A>1</A></xml>')).toEqual({ A: '1' });
  });

  it('normalises List and item to arrays, one or many', () => {
    const one = parsePushXml(
      '<xml><SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[a]]></PicMd5Sum></item></PicList></SendPicsInfo><SubscribeMsgPopupEvent><List><TemplateId><![CDATA[t1]]></TemplateId></List></SubscribeMsgPopupEvent></xml>',
    );
    expect(one).toEqual({
      SendPicsInfo: { Count: '1', PicList: { item: [{ PicMd5Sum: 'a' }] } },
      SubscribeMsgPopupEvent: { List: [{ TemplateId: 't1' }] },
    });
    const many = parsePushXml(
      '<xml><PicList><item><PicMd5Sum>a</PicMd5Sum></item><item><PicMd5Sum>b</PicMd5Sum></item></PicList><E><List><T>1</T></List><List><T>2</T></List></E></xml>',
    );
    expect(many).toEqual({ PicList: { item: [{ PicMd5Sum: 'a' }, { PicMd5Sum: 'b' }] }, E: { List: [{ T: '1' }, { T: '2' }] } });
    expect(parsePushXml('<xml><L><item/><item>x</item></L></xml>')).toEqual({ L: { item: [{}, { '#text': 'x' }] } });
  });

  it('keeps unknown and repeated elements', () => {
    expect(parsePushXml('<xml><URL><![CDATA[http://x]]></URL><New><Deep><![CDATA[v]]></Deep></New><R>1</R><R>2</R></xml>')).toEqual({
      URL: 'http://x',
      New: { Deep: 'v' },
      R: ['1', '2'],
    });
    expect(parsePushXml(V9.decryptMessage.body)).toMatchObject({ ToUserName: V9.corpId, AgentID: '1' });
  });

  it('accepts an empty root and ignores attributes', () => {
    expect(parsePushXml('<xml/>')).toEqual({});
    expect(parsePushXml('<xml a="1"><B c="2">x</B></xml>')).toEqual({ B: 'x' });
  });

  it('cannot pollute Object.prototype: prototype-bearing names are refused', () => {
    xmlInvalid('<xml><__proto__><polluted>1</polluted></__proto__></xml>');
    xmlInvalid('<xml><constructor><prototype><polluted>1</polluted></prototype></constructor></xml>');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parsePushXml refuses', () => {
  it('DTDs, external entities and entity bombs', () => {
    xmlInvalid('<!DOCTYPE xml><xml><A>1</A></xml>');
    xmlInvalid('<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>');
    xmlInvalid(
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;">]><xml><A>&lol9;</A></xml>',
    );
    xmlInvalid('<xml><!ENTITY a "b"><A>1</A></xml>');
    xmlInvalid('<!doctype xml><xml/>');
    xmlInvalid('<xml/><!DOCTYPE late>');
    xmlInvalid('<?pi <!-- ?><!DOCTYPE x [<!ENTITY a "b">]><!-- --><xml/>');
    xmlInvalid('<!-- <![CDATA[ --><!DOCTYPE x><xml/>');
  });

  it('undeclared entities, bad character references and bare ampersands', () => {
    xmlInvalid('<xml><A>&lol9;</A></xml>');
    xmlInvalid('<xml><A>&#0;</A></xml>');
    xmlInvalid('<xml><A>&#xD800;</A></xml>');
    xmlInvalid('<xml><A>a & b</A></xml>');
  });

  it('absurdly deep nesting', () => {
    xmlInvalid(`<xml>${'<a>'.repeat(500)}x${'</a>'.repeat(500)}</xml>`);
  });

  it('malformed documents and other roots', () => {
    for (const bad of [
      '',
      '   ',
      'success',
      '{"ToUserName":"gh"}',
      '<xml>',
      '<xml><A></xml>',
      '<xml><A>1</B></xml>',
      '<xml></xml><xml></xml>',
      'junk<xml/>',
      '<xml><A><![CDATA[unterminated</A></xml>',
      '<root><A>1</A></root>',
      '<xml>just text</xml>',
    ]) {
      xmlInvalid(bad);
    }
  });
});

describe('buildXml', () => {
  it('writes strings as CDATA and numbers bare, in key order, skipping undefined', () => {
    expect(buildXml({ ToUserName: 'u', CreateTime: 1700000000, Skip: undefined, ArticleCount: 1, Big: 18446744073709551615n })).toBe(
      '<xml><ToUserName><![CDATA[u]]></ToUserName><CreateTime>1700000000</CreateTime><ArticleCount>1</ArticleCount><Big>18446744073709551615</Big></xml>',
    );
  });

  it('writes nested objects and arrays as repeated elements', () => {
    expect(buildXml({ Articles: { item: [{ Title: 'a' }, { Title: 'b' }] }, R: ['x', 'y'] })).toBe(
      '<xml><Articles><item><Title><![CDATA[a]]></Title></item><item><Title><![CDATA[b]]></Title></item></Articles><R><![CDATA[x]]></R><R><![CDATA[y]]></R></xml>',
    );
  });

  it('splits CDATA around ]]> so any text round-trips', () => {
    for (const s of ['a]]>b', ']]>', ']]>]]>', 'end]]', ']]]>>', '<![CDATA[x]]>', '中文\n<tag>&amp;']) {
      const xml = buildXml({ Content: s });
      expect(parsePushXml(xml)).toEqual({ Content: s });
    }
    expect(buildXml({ C: 'a]]>b' })).toBe('<xml><C><![CDATA[a]]]]><![CDATA[>b]]></C></xml>');
  });

  it('drops characters XML cannot carry', () => {
    expect(parsePushXml(buildXml({ C: 'a\u0000b\u0007c\td\ne\uFFFF\uD800' }))).toEqual({ C: 'abc\td\ne' });
    expect(parsePushXml(buildXml({ C: '😀' }))).toEqual({ C: '😀' });
  });

  it('refuses bad element names and non-finite numbers', () => {
    expect(() => buildXml({ 'a b': 'x' })).toThrow(/element name/);
    expect(() => buildXml({ '1a': 'x' })).toThrow(/element name/);
    expect(() => buildXml({ N: Number.NaN })).toThrow(/finite/);
  });
});
