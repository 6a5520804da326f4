// nginx text inside Markdown hovers: regex locations (`~ \.php$`), host names, paths and log
// values must show as written, not as markup or links.

/**
 * Prose holding nginx text, shown literally: escapes what can start markup (a backslash before
 * `.`, `*`, `_` ... would otherwise be eaten), and breaks the `www.`, `scheme://` and `@` from which
 * renderers make links (VS Code's GFM autolinks `www.shop.example.com` and `a@b.c`).
 */
export function escapeMarkdown(text: string): string {
  let out = text
    .replace(/[\\`*_[\]<>|~&@]/g, '\\$&')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/([a-z])(:\/\/)/gi, '$1\\$2');
  // At the start of a line these would make a heading, quote or list.
  out = out.replace(/^([-+=#>])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
  return out;
}

/** A code span holding `text` as is, whatever backticks it contains. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space at each end when both are there: pad so a backtick or space at an end survives.
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A link destination that stays one destination: parentheses and spaces percent-encoded. */
export function linkTarget(uri: string): string {
  return uri.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
}
