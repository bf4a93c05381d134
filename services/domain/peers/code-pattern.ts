/**
 * Agency-code patterns of a peer hub (`lienthong peer add --codes`): an agency code
 * (0-9, A-Z, dots) where `*` stands for any run of characters and `?` for one character,
 * e.g. `*.H16` (every agency of the province with the H16 suffix) or `000.00.??.T48`.
 */
const PATTERN = /^[0-9A-Z.*?]{1,35}$/;

export function codePatternProblem(pattern: string): string | undefined {
  if (!PATTERN.test(pattern)) return `"${pattern.slice(0, 40)}" không phải mẫu mã cơ quan (0-9, A-Z, dấu chấm, * và ?; tối đa 35 ký tự)`;
  if (/^[*?.]*$/.test(pattern)) return `"${pattern}" khớp với mọi mã cơ quan: hãy giới hạn mẫu (ví dụ *.H16)`;
  return undefined;
}

export function codeMatches(pattern: string, code: string): boolean {
  const rx = new RegExp('^' + pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return rx.test(code);
}

export function matchesAny(patterns: readonly string[], code: string): boolean {
  return patterns.some((p) => codeMatches(p, code));
}
