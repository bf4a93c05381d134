import fs from 'node:fs';
import path from 'node:path';
import { sourceFiles } from './source-files';

/**
 * The import graph between the architecture's folders: `services/<name>` and `infra/<name>` are one
 * unit each, `workers`, `contracts` and `clients` one unit each. Read from the TypeScript sources'
 * relative import and export-from statements (type-only imports included: a circle of types is
 * still a circle for a reader).
 */
export type FolderGraph = Map<string, Map<string, string[]>>;

const TOP_LEVEL = ['services', 'workers', 'contracts', 'infra'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;
const SIDE_EFFECT_IMPORT = /(?:^|\n)\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;


/** The folder a repository-relative path belongs to, or undefined outside the product tree. */
export function folderOf(relative: string): string | undefined {
  const parts = relative.split(path.sep);
  const top = parts[0] ?? '';
  if (!TOP_LEVEL.includes(top)) return undefined;
  if ((top === 'services' || top === 'infra') && parts.length > 2) return `${top}/${parts[1]}`;
  return top;
}

export function folderGraph(root: string): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const top of TOP_LEVEL) {
    for (const file of sourceFiles(path.join(root, top))) {
      const from = folderOf(path.relative(root, file));
      if (!from) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const re of [IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT]) {
        for (const match of text.matchAll(re)) {
          const spec = match[1] ?? '';
          const target = path.relative(root, path.resolve(path.dirname(file), spec));
          const to = folderOf(target);
          if (!to || to === from) continue;
          if (!graph.has(from)) graph.set(from, new Map());
          const edges = graph.get(from)!;
          if (!edges.has(to)) edges.set(to, []);
          edges.get(to)!.push(`${path.relative(root, file)} → ${match[1] ?? ''}`);
        }
      }
    }
  }
  return graph;
}

/** Every strongly connected group of two or more folders (Tarjan), each with the imports that close it. */
export function folderCircles(graph: FolderGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

/** A readable account of one circle: each import inside the group, one example per folder pair. */
export function describeCircle(graph: FolderGraph, group: string[]): string {
  const lines: string[] = [group.join(' ⇄ ')];
  for (const from of group) {
    for (const [to, examples] of graph.get(from) ?? []) {
      if (group.includes(to)) lines.push(`  ${from} → ${to}: ${examples[0]}${examples.length > 1 ? ` (+${examples.length - 1})` : ''}`);
    }
  }
  return lines.join('\n');
}
