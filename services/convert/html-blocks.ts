import sanitizeHtml from 'sanitize-html';
import type { Block } from '../render/body.schema';

const BLOCK_TAGS = ['p', 'div', 'section', 'article', 'header', 'footer', 'main', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
const LIST_TAGS = ['ul', 'ol', 'li'];
const TABLE_TAGS = ['table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption'];
const INLINE_TAGS = ['br', 'b', 'strong', 'i', 'em', 'u', 's', 'span', 'a', 'code', 'sub', 'sup', 'small', 'mark'];
const MAX_COLUMNS = 10; // wider rows are folded into their last cell: narrower columns would not print

/**
 * HTML to body blocks. sanitize-html first reduces the markup to a safe subset with no attributes
 * (scripts, styles, forms, embedded objects and their text are dropped); what is left is simple,
 * well-formed and entity-escaped, so a small tokenizer can walk it.
 */
export function htmlToBlocks(html: string): Block[] {
  const clean = sanitizeHtml(html, {
    allowedTags: [...BLOCK_TAGS, ...LIST_TAGS, ...TABLE_TAGS, ...INLINE_TAGS],
    allowedAttributes: {},
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'svg', 'math', 'object', 'iframe', 'head'],
  });
  return new BlockWalker().walk(clean);
}

class BlockWalker {
  private readonly blocks: Block[] = [];
  private text = '';
  private pre = 0;
  private heading = false;
  private readonly lists: { ordered: boolean; next: number }[] = [];
  private item: { label: string; level: 1 | 2 } | null = null;
  private table: { rows: string[][]; cell: string | null } | null = null;

  walk(html: string): Block[] {
    for (const m of html.matchAll(/<(\/?)([a-z0-9]+)\s*\/?>|([^<]+)/gi)) {
      if (m[3] !== undefined) this.addText(decodeEntities(m[3]));
      else this.tag((m[2] ?? '').toLowerCase(), m[1] === '/');
    }
    this.flush();
    return this.blocks;
  }

  private addText(raw: string): void {
    const text = this.pre > 0 ? raw : raw.replace(/\s+/g, ' ');
    if (this.table?.cell != null) this.table.cell += text;
    else this.text += text;
  }

  private tag(name: string, closing: boolean): void {
    if (name === 'br') return this.addText('\n');
    if (this.table && name !== 'table') return this.tableTag(name, closing);
    if (name === 'table') {
      if (closing) return this.endTable();
      this.flush();
      this.table = { rows: [], cell: null };
      return;
    }
    if (name === 'ul' || name === 'ol') {
      this.flush();
      if (closing) this.lists.pop();
      else this.lists.push({ ordered: name === 'ol', next: 1 });
      return;
    }
    if (name === 'li') {
      this.flush();
      const list = this.lists[this.lists.length - 1];
      if (!closing && list) {
        this.item = { label: list.ordered ? `${list.next++}.` : '-', level: this.lists.length > 1 ? 2 : 1 };
      }
      return;
    }
    if (BLOCK_TAGS.includes(name)) {
      this.flush();
      if (name === 'pre') this.pre += closing ? -1 : 1;
      if (/^h[1-6]$/.test(name)) this.heading = !closing;
    }
  }

  private tableTag(name: string, closing: boolean): void {
    const table = this.table;
    if (!table) return;
    if (name === 'tr' && !closing) table.rows.push([]);
    else if ((name === 'td' || name === 'th') && !closing) table.cell = '';
    else if ((name === 'td' || name === 'th') && closing && table.cell !== null) {
      if (table.rows.length === 0) table.rows.push([]);
      table.rows[table.rows.length - 1]?.push(table.cell.replace(/[ \t]*\n[ \t]*/g, '\n').trim());
      table.cell = null;
    } else if (table.cell !== null && (BLOCK_TAGS.includes(name) || LIST_TAGS.includes(name)) && closing) {
      table.cell += '\n'; // paragraphs inside a cell (mammoth writes them) become lines
    }
  }

  private endTable(): void {
    const rows = (this.table?.rows ?? []).filter((r) => r.length > 0).map(foldColumns);
    this.table = null;
    if (rows.length > 0) this.blocks.push({ type: 'table', rows });
  }

  private flush(): void {
    const text = this.text.replace(/[ \t]*\n[ \t]*/g, '\n').trim();
    this.text = '';
    if (text === '') return;
    if (this.item) this.blocks.push({ type: 'item', label: this.item.label, level: this.item.level, text });
    else if (this.heading) this.blocks.push({ type: 'heading', text });
    else this.blocks.push({ type: 'paragraph', text });
    this.item = null;
  }
}

function foldColumns(row: string[]): string[] {
  if (row.length <= MAX_COLUMNS) return row;
  return [...row.slice(0, MAX_COLUMNS - 1), row.slice(MAX_COLUMNS - 1).join(' | ')];
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The entities sanitize-html writes, plus numeric ones; Markdown text passes through here too. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isInteger(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}
