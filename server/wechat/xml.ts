import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../http/errors';

/**
 * The XML WeChat pushes and expects back (PROTOCOL §2): one `<xml>` root, string values
 * (usually CDATA), bare numbers, no attributes. Parsing is deliberately narrow: no DTDs, no
 * entities beyond XML's five and character references, every value a string.
 */
export type PushValue = string | PushXml | PushXml[] | string[];
export type PushXml = { [name: string]: PushValue };

/** Elements that hold repeated records; always arrays, even with one (PROTOCOL §2.3). */
const LIST_NAMES = new Set(['List', 'item']);
const TEXT = '#text';
const CDATA = '#cdata'; // '#' cannot start an XML name, so no element can collide with it

const parser = new XMLParser({
  preserveOrder: true, // keeps text and CDATA apart, so only real text gets entity-decoded
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false, // a 64-bit MsgId must never become a Number
  processEntities: false, // no entity machinery at all; XML's own five are decoded below
  htmlEntities: false,
  cdataPropName: CDATA,
  textNodeName: TEXT,
  trimValues: true, // whitespace between elements; CDATA is never trimmed
});

const invalid = (why: string) => new AppError('WECHAT_XML_INVALID', undefined, { reason: why });

export function parsePushXml(text: string): PushXml {
  rejectDeclarations(text);
  if (XMLValidator.validate(text) !== true) throw invalid('malformed');
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch {
    throw invalid('malformed');
  }
  const roots = nodes.filter((n) => !(TEXT in n) && !(CDATA in n));
  const root = roots.length === 1 ? roots[0] : undefined;
  if (!root || !Array.isArray(root.xml)) throw invalid('root must be <xml>');
  const value = convert(root.xml as OrderedNode[]);
  if (typeof value === 'string') {
    if (value.trim() !== '') throw invalid('root must hold elements');
    return {};
  }
  return value;
}

/**
 * DTDs are how XXE and entity-expansion bombs get in, and WeChat never sends one: refuse any
 * markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`…) before the parser sees the text.
 * A small lexer rather than a substring test, so a citizen's message that merely contains
 * "<!DOCTYPE" inside CDATA is still accepted.
 */
function rejectDeclarations(text: string): void {
  let i = text.indexOf('<');
  while (i !== -1) {
    let end: number;
    if (text.startsWith('<![CDATA[', i)) end = after(text, ']]>', i + 9);
    else if (text.startsWith('<!--', i)) end = after(text, '-->', i + 4);
    else if (text.startsWith('<!', i)) throw invalid('DTD or entity declarations are not accepted');
    else if (text.startsWith('<?', i)) end = after(text, '?>', i + 2);
    else end = tagEnd(text, i + 1);
    i = text.indexOf('<', end);
  }
}

function after(text: string, close: string, from: number): number {
  const at = text.indexOf(close, from);
  if (at === -1) throw invalid('unterminated markup');
  return at + close.length;
}

/** End of a start/end tag, skipping `>` inside quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j + 1;
  }
  throw invalid('unterminated tag');
}

type OrderedNode = Record<string, unknown>;

/** fast-xml-parser's ordered tree → PushXml: leaves become strings, repeats become arrays. */
function convert(children: OrderedNode[]): string | PushXml {
  let text = '';
  const fields = new Map<string, (string | PushXml)[]>();
  for (const node of children) {
    for (const [name, value] of Object.entries(node)) {
      if (name === ':@') continue; // attributes (none are kept)
      if (name === TEXT) text += decodeText(String(value));
      else if (name === CDATA) text += cdataText(value);
      else {
        const list = fields.get(name) ?? [];
        list.push(convert(value as OrderedNode[]));
        fields.set(name, list);
      }
    }
  }
  if (fields.size === 0) return text;
  const out: PushXml = {};
  // Mixed content never occurs in WeChat XML; keep its text rather than lose it silently.
  if (text.trim() !== '') define(out, TEXT, text);
  for (const [name, values] of fields) {
    const first = values[0];
    if (values.length === 1 && first !== undefined && !LIST_NAMES.has(name)) define(out, name, first);
    else define(out, name, normaliseList(values, LIST_NAMES.has(name)));
  }
  return out;
}

/** Record lists are arrays of objects; a text-only entry becomes `{}` or `{ '#text': … }`. */
function normaliseList(values: (string | PushXml)[], records: boolean): PushXml[] | string[] {
  if (!records && values.every((v): v is string => typeof v === 'string')) return values;
  return values.map((v) => (typeof v !== 'string' ? v : v === '' ? {} : { [TEXT]: v }));
}

/** Assign without `__proto__` (or any other name) reaching the prototype chain. */
function define(obj: PushXml, name: string, value: PushValue): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

function cdataText(value: unknown): string {
  const parts = Array.isArray(value) ? (value as OrderedNode[]) : [];
  return parts.map((p) => String(p[TEXT] ?? '')).join('');
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode XML's five entities and character references; anything else after `&` is malformed. */
function decodeText(s: string): string {
  return s.replace(/&([^;&]*);?/g, (ref, body: string) => {
    if (!ref.endsWith(';')) throw invalid('bare &');
    const named = PREDEFINED[body];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    const cp = m ? parseInt(m[1] ?? m[2] ?? '', m[1] ? 16 : 10) : NaN;
    if (!isXmlChar(cp)) throw invalid('undeclared entity or bad character reference');
    return String.fromCodePoint(cp);
  });
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

// ---------------------------------------------------------------------------------------------
// Building

export type XmlScalar = string | number | bigint;
export interface XmlObject {
  [name: string]: XmlScalar | XmlObject | readonly XmlObject[] | readonly XmlScalar[] | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Characters XML 1.0 cannot carry even in CDATA; one would make WeChat reject the whole reply.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `<xml>` with WeChat's conventions: strings as CDATA, numbers bare, arrays as repeated
 * elements, undefined fields left out, keys in insertion order, no whitespace.
 */
export function buildXml(obj: XmlObject): string {
  return element('xml', obj);
}

function element(name: string, value: XmlObject[string]): string {
  if (value === undefined) return '';
  if (!NAME.test(name)) throw new Error(`not an XML element name: ${name}`);
  if (Array.isArray(value)) return value.map((v: XmlObject | XmlScalar) => element(name, v)).join('');
  return `<${name}>${content(value as XmlObject | XmlScalar)}</${name}>`;
}

function content(value: XmlObject | XmlScalar): string {
  if (typeof value === 'string') return cdata(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  return Object.entries(value)
    .map(([k, v]) => element(k, v))
    .join('');
}

/** `]]>` cannot appear inside CDATA: end the section after `]]` and start a new one before `>`. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(NOT_XML_CHAR, '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
