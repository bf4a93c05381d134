import { isUtf8 } from 'node:buffer';
import { Parser } from 'xml2js';
import { EDXML_NS, EdxmlError, type EdxmlLimits } from './edxml-types';

/** A namespace-resolved element: lookups go by (namespace, local name), never by prefix. */
export interface XNode {
  uri: string;
  local: string;
  /** Raw character data, untrimmed. */
  text: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Local names from the root with [n] on repeated siblings; used in error messages. */
  path: string;
}

/**
 * Bytes → text. A byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE); otherwise the encoding the
 * XML declaration names, UTF-8 when it names none. Any label of the WHATWG Encoding Standard is
 * read (US-ASCII, ISO-8859-1, Windows-1258: what Vietnamese systems of another age write), always
 * strictly: bytes that are not valid in the encoding are refused, never replaced, and UTF-8 bytes
 * under a legacy label are refused rather than read garbled. Text from a
 * legacy encoding is composed (NFC): Windows-1258 writes tones as combining marks.
 * Markup declarations (<!DOCTYPE>, <!ENTITY>) are refused by scanXmlShape, which knows what is a
 * comment or character data.
 */
export function decodeInput(xml: string | Buffer, limits: EdxmlLimits): string {
  const size = typeof xml === 'string' ? Buffer.byteLength(xml, 'utf8') : xml.length;
  if (size > limits.maxInputBytes) {
    throw new EdxmlError('EDXML_TOO_LARGE', `input is ${size} bytes, the limit is ${limits.maxInputBytes}`, 'edXML');
  }
  let text = typeof xml === 'string' ? xml : decodeBytes(xml);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // XML end-of-line handling happens before parsing, so an escaped &#13; still survives.
  return text.replace(/\r\n?/g, '\n');
}

function decodeBytes(xml: Buffer): string {
  if (xml[0] === 0xff && xml[1] === 0xfe) return strictly('utf-16le', xml, 'UTF-16');
  if (xml[0] === 0xfe && xml[1] === 0xff) return strictly('utf-16be', xml, 'UTF-16');
  if (xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf) return strictly('utf-8', xml, 'UTF-8');
  // The declaration is ASCII in every encoding that can be read without a byte-order mark.
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(xml.subarray(0, 512).toString('latin1'))?.[1];
  if (!declared || /^utf-?8$/i.test(declared)) return strictly('utf-8', xml, 'UTF-8');
  let encoding: string;
  try {
    encoding = new TextDecoder(declared).encoding;
  } catch {
    throw new EdxmlError('EDXML_INVALID_VALUE', `encoding "${declared}" is not supported, send UTF-8`, 'xml declaration');
  }
  if (encoding.startsWith('utf-16')) {
    throw new EdxmlError('EDXML_MALFORMED', `encoding "${declared}" is declared but the input has no UTF-16 byte-order mark`, 'xml declaration');
  }
  // Vietnamese in UTF-8 read as a legacy encoding would be stored garbled: such a mislabelled
  // envelope is refused (UTF-8's multi-byte sequences are next to never legacy text). ASCII bytes
  // read alike in every one of these encodings.
  if (xml.some((b) => b > 0x7f) && isUtf8(xml)) {
    throw new EdxmlError('EDXML_INVALID_VALUE', `encoding "${declared}" is declared but the bytes are UTF-8 text: declare UTF-8`, 'xml declaration');
  }
  return strictly(encoding, xml, declared).normalize('NFC');
}

function strictly(encoding: string, bytes: Buffer, name: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new EdxmlError('EDXML_MALFORMED', `input is not valid ${name} text`, 'edXML');
  }
}

/**
 * Bounds depth and element count before xml2js builds a tree, so a hostile shape cannot make it
 * allocate. It only has to be right for well-formed input: sax rejects the rest afterwards.
 */
export function scanXmlShape(text: string, limits: EdxmlLimits): void {
  let i = 0;
  let depth = 0;
  let elements = 0;
  let rootClosed = false;
  const n = text.length;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (rootClosed && text.slice(i, lt < 0 ? n : lt).trim()) {
      throw new EdxmlError('EDXML_MALFORMED', 'XML is not well-formed: text follows the root element', 'edXML');
    }
    if (lt < 0) return;
    const next = text[lt + 1];
    const skipTo = (end: string, from: number) => {
      const at = text.indexOf(end, from);
      return at < 0 ? n : at + end.length;
    };
    if (text.startsWith('<!--', lt)) i = skipTo('-->', lt + 4);
    else if (text.startsWith('<![CDATA[', lt)) i = skipTo(']]>', lt + 9);
    else if (next === '!') throw new EdxmlError('EDXML_FORBIDDEN_DTD', 'markup declarations (<!…>) are refused', 'DOCTYPE');
    else if (next === '?') i = skipTo('?>', lt + 2);
    else if (next === '/') {
      if (--depth === 0) rootClosed = true;
      i = skipTo('>', lt + 2);
    } else {
      if (rootClosed) throw new EdxmlError('EDXML_MALFORMED', 'XML is not well-formed: a second element follows the root element', 'edXML');
      let j = lt + 1;
      let quote = 0;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (quote) {
          if (c === quote) quote = 0;
        } else if (c === 34 || c === 39) quote = c;
        else if (c === 62) break;
      }
      if (++elements > limits.maxElements) {
        throw new EdxmlError('EDXML_TOO_LARGE', `more than ${limits.maxElements} elements`, 'edXML');
      }
      if (text.charCodeAt(j - 1) === 47) rootClosed ||= depth === 0;
      else if (++depth > limits.maxDepth) {
        const name = /^[^\s/>]+/.exec(text.slice(lt + 1, lt + 101))?.[0] ?? '?';
        throw new EdxmlError('EDXML_TOO_LARGE', `elements nested deeper than ${limits.maxDepth} levels`, name);
      }
      i = j + 1;
    }
  }
}

interface Xml2jsNode {
  _?: string;
  $?: Record<string, { value: string; local: string; uri: string }>;
  $ns?: { uri: string; local: string };
  $$?: Xml2jsNode[];
  '#name'?: string;
}

/**
 * Parses with xml2js (sax: no external entities, strict, namespace-aware) into XNodes. Senders'
 * SDKs write attributes with prefixes they never declare (`xlink:href` without `xmlns:xlink`) and
 * read them back without complaint: such a prefix, used only on attributes, is declared for the
 * parse (in a namespace of its own that nothing reads) and the envelope is read if the rest of it
 * is understood. An undeclared prefix on an element is still malformed.
 */
export function parseXmlTree(text: string): XNode {
  try {
    return parseStrict(text);
  } catch (err) {
    if (!(err instanceof EdxmlError) || !/Unbound namespace prefix/.test(err.message)) throw err;
    const patched = declareAttributePrefixes(text);
    if (patched === undefined) throw err;
    return parseStrict(patched);
  }
}

const NAME = '[A-Za-z_][\\w.-]*';

/** The text with the attribute-only undeclared prefixes declared on the root element, or undefined when there are none. */
function declareAttributePrefixes(text: string): string | undefined {
  const declared = new Set([...text.matchAll(new RegExp(`xmlns:(${NAME})\\s*=`, 'g'))].map((m) => m[1]!));
  const onElements = new Set([...text.matchAll(new RegExp(`</?(${NAME}):${NAME}`, 'g'))].map((m) => m[1]!));
  const onAttributes = new Set([...text.matchAll(new RegExp(`\\s(${NAME}):${NAME}\\s*=\\s*["']`, 'g'))].map((m) => m[1]!));
  const missing = [...onAttributes].filter((p) => p !== 'xmlns' && p !== 'xml' && !declared.has(p) && !onElements.has(p));
  if (missing.length === 0) return undefined;
  const root = new RegExp(`<${NAME}(?::${NAME})?`).exec(text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, (m) => ' '.repeat(m.length)));
  if (!root) return undefined;
  const at = root.index + root[0].length;
  const decls = missing.map((p) => ` xmlns:${p}="urn:lienthong:undeclared-prefix:${p}"`).join('');
  return text.slice(0, at) + decls + text.slice(at);
}

function parseStrict(text: string): XNode {
  const parser = new Parser({
    xmlns: true,
    explicitChildren: true,
    preserveChildrenOrder: true,
    charsAsChildren: false,
    includeWhiteChars: false,
    explicitRoot: false,
    trim: false,
    normalize: false,
    strict: true,
    async: false,
  });
  let failure: unknown;
  let result: Xml2jsNode | undefined;
  parser.parseString(text, (err: unknown, res: Xml2jsNode) => {
    // xml2js reports success when the root closes and may call again for what follows it:
    // any error reported at any point makes the whole input malformed.
    if (err) failure ??= err;
    else result ??= res;
  });
  if (failure !== undefined || !result) throw malformed(failure);
  return convert(result, '');
}

function malformed(err: unknown): EdxmlError {
  const raw = err instanceof Error ? err.message : String(err ?? 'empty document');
  const [what, ...rest] = raw.split('\n');
  const line = /Line: (\d+)/.exec(rest.join(' '))?.[1];
  const column = /Column: (\d+)/.exec(rest.join(' '))?.[1];
  // sax counts lines from 0; editors and people count from 1.
  const where = line ? `line ${Number(line) + 1}, column ${column ?? '?'}` : undefined;
  return new EdxmlError('EDXML_MALFORMED', `XML is not well-formed: ${what?.trim() || 'no root element'}`, where);
}

function convert(node: Xml2jsNode, parentPath: string, index?: number): XNode {
  const local = node.$ns?.local ?? node['#name'] ?? '';
  const path = `${parentPath ? `${parentPath}/` : ''}${local}${index ? `[${index}]` : ''}`;
  const attrs: Record<string, string> = {};
  for (const a of Object.values(node.$ ?? {})) if (a.uri !== 'http://www.w3.org/2000/xmlns/') attrs[a.local] = a.value;
  const raw = node.$$ ?? [];
  const counts = new Map<string, number>();
  for (const c of raw) counts.set(c.$ns?.local ?? '', (counts.get(c.$ns?.local ?? '') ?? 0) + 1);
  const seen = new Map<string, number>();
  const children = raw.map((c) => {
    const name = c.$ns?.local ?? '';
    const k = (seen.get(name) ?? 0) + 1;
    seen.set(name, k);
    return convert(c, path, (counts.get(name) ?? 0) > 1 ? k : undefined);
  });
  return { uri: node.$ns?.uri ?? '', local, text: node._ ?? '', attrs, children, path };
}

/** The path as a reader would name it: without the envelope wrappers. */
export function displayPath(path: string): string {
  return path.replace(/^edXML\//, '').replace(/^edXMLEnvelope\//, '').replace(/^edXMLHeader\//, '');
}

export function kids(node: XNode | undefined, ...locals: string[]): XNode[] {
  return node ? node.children.filter((c) => c.uri === EDXML_NS && locals.includes(c.local)) : [];
}

export function kid(node: XNode | undefined, ...locals: string[]): XNode | undefined {
  return kids(node, ...locals)[0];
}

export function need(node: XNode, ...locals: string[]): XNode {
  const found = kid(node, ...locals);
  if (!found) throw missing(node, locals[0]!);
  return found;
}

export function missing(parent: XNode, local: string): EdxmlError {
  return new EdxmlError('EDXML_MISSING_ELEMENT', 'required element is missing or empty', displayPath(`${parent.path}/${local}`));
}

/** Trimmed text of a child, undefined when the child is absent or empty. */
export function str(node: XNode | undefined, ...locals: string[]): string | undefined {
  const value = kid(node, ...locals)?.text.trim();
  return value ? value : undefined;
}

export function reqStr(node: XNode, ...locals: string[]): string {
  const value = str(node, ...locals);
  if (value === undefined) throw missing(node, locals[0]!);
  return value;
}

export function invalid(node: XNode, problem: string): EdxmlError {
  return new EdxmlError('EDXML_INVALID_VALUE', problem, displayPath(node.path));
}
