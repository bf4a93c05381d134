import { type Token, type Tokens, marked } from 'marked';
import type { Block } from '../render/body.schema';
import { decodeEntities, htmlToBlocks } from './html-blocks';

/**
 * Markdown to body blocks through marked's lexer (no HTML is rendered): headings, paragraphs,
 * lists (nested ones one level in), tables, code as preformatted lines. Raw HTML blocks go
 * through the same sanitising HTML path as HTML sources.
 */
export function markdownToBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  walk(marked.lexer(markdown, { gfm: true }), blocks, 0);
  return blocks;
}

function walk(tokens: Token[], out: Block[], depth: number): void {
  for (const token of tokens) {
    const t = token as Tokens.Generic;
    switch (t.type) {
      case 'heading':
        push(out, { type: 'heading', text: inline(t.tokens) });
        break;
      case 'paragraph':
      case 'text':
        push(out, { type: 'paragraph', text: t.tokens ? inline(t.tokens) : decodeEntities(String(t.text ?? '')) });
        break;
      case 'code':
        push(out, { type: 'paragraph', text: String(t.text ?? '') });
        break;
      case 'blockquote':
        walk(t.tokens ?? [], out, depth);
        break;
      case 'list':
        list(t as Tokens.List, out, depth);
        break;
      case 'table': {
        const table = t as Tokens.Table;
        const rows = [table.header.map((c) => inline(c.tokens)), ...table.rows.map((r) => r.map((c) => inline(c.tokens)))];
        out.push({ type: 'table', rows });
        break;
      }
      case 'html':
        out.push(...htmlToBlocks(String(t.text ?? '')));
        break;
      default:
        break; // space, hr, def: nothing to print
    }
  }
}

function list(token: Tokens.List, out: Block[], depth: number): void {
  const start = typeof token.start === 'number' ? token.start : 1;
  token.items.forEach((item, i) => {
    const label = token.ordered ? `${start + i}.` : '-';
    const level = depth > 0 ? 2 : 1;
    const [first, ...rest] = item.tokens;
    const lead = first && (first.type === 'text' || first.type === 'paragraph') ? inline((first as Tokens.Text).tokens ?? [first]) : '';
    const task = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
    out.push({ type: 'item', label, level, text: task + lead });
    walk(lead === '' && first ? [first, ...rest] : rest, out, depth + 1);
  });
}

/** The printable text of inline tokens: emphasis and links keep their words, tags are dropped. */
function inline(tokens: Token[] | undefined): string {
  let text = '';
  for (const token of tokens ?? []) {
    const t = token as Tokens.Generic;
    if (t.type === 'br') text += '\n';
    else if (t.type === 'html') continue;
    else if (t.type === 'codespan' || t.type === 'escape') text += String(t.text ?? '');
    else if (t.type === 'image') text += String(t.text ?? '');
    else if (t.tokens && t.tokens.length > 0) text += inline(t.tokens);
    else text += decodeEntities(String(t.text ?? ''));
  }
  return text;
}

function push(out: Block[], block: Block): void {
  if ('text' in block && block.text.trim() === '') return;
  out.push(block);
}
