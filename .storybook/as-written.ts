/**
 * Descriptions in the custom-elements manifests are plain text with `code spans` (formulas are
 * written in code: `eps * sign(grad_x L(x, y))`). Storybook renders them as Markdown, where
 * `eps * sign(...) ... eps * ||w||_1` would turn into italics and lose its `*` signs. This escapes
 * every Markdown sign outside code spans, so each description reads as written; code spans stay code.
 */
export function asWritten(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/[\\*_[\]<>#~|!]/g, (c) => `\\${c}`)))
    .join('');
}

/**
 * The manifest as Storybook's docs tables should show it (a copy): every `description` and `summary`
 * made safe for Markdown, and CSS parts named `::part(name)`. Storybook keys its table rows by name,
 * so a part called like an attribute (`controls`) would replace the attribute's row and hide its
 * description.
 */
export function manifestAsWritten<T>(value: T): T {
  if (Array.isArray(value)) return value.map(manifestAsWritten) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if ((k === 'description' || k === 'summary') && typeof v === 'string') return [k, asWritten(v)];
        if (k === 'cssParts' && Array.isArray(v)) return [k, v.map((p) => manifestAsWritten({ ...p, name: `::part(${p.name})` }))];
        return [k, manifestAsWritten(v)];
      }),
    ) as T;
  }
  return value;
}
