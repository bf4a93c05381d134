import type { Body } from '../../render/body.schema';

type Block = Body['blocks'][number];

/**
 * The body editor's plain-text form, which works before any script loads: one paragraph per
 * line; "1.", "2." … start a numbered item, "a)", "b)" … or "-" a sub-item; "## " a heading.
 */
export function blocksFromText(text: string): Block[] {
  const blocks: Block[] = [];
  for (const rawLine of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trim();
    if (!line) continue;
    const heading = /^##\s+(.+)$/.exec(line);
    const numbered = /^(\d{1,3}\.)\s+(.+)$/.exec(line);
    const lettered = /^([a-zđ]\)|-|\+)\s+(.+)$/.exec(line);
    if (heading) blocks.push({ type: 'heading', text: heading[1]! });
    else if (numbered) blocks.push({ type: 'item', label: numbered[1]!, text: numbered[2]! });
    else if (lettered) blocks.push({ type: 'item', label: lettered[1]!, text: lettered[2]!, level: 2 });
    else blocks.push({ type: 'paragraph', text: line });
  }
  return blocks;
}
