import type { Root, Element, ElementContent } from 'hast';

/**
 * Inline code written `$…$` in an MDX page is an inline formula (rehype-katex renders it).
 *
 * Why: Storybook indexes every MDX page with a parser that knows no math, so braces that hold a
 * backslash, as in $\frac{\partial y}{\partial x}$, read to it as a broken JavaScript expression and
 * the whole Storybook build stops ("Could not parse expression with acorn"). Such formulas go in
 * inline code between dollars (`` `$\frac{\partial y}{\partial x}$` ``) or, displayed, in a ```math
 * fence; plain $…$ is fine when no brace holds a backslash.
 */
export function rehypeMathInCode() {
  return (tree: Root) => {
    const visit = (node: Root | Element, inPre: boolean) => {
      for (const child of node.children as ElementContent[]) {
        if (child.type !== 'element') continue;
        const text = child.children.length === 1 && child.children[0].type === 'text' ? child.children[0].value : undefined;
        if (child.tagName === 'code' && !inPre && text && /^\$[^$]+\$$/.test(text)) {
          child.properties = { ...child.properties, className: ['language-math', 'math-inline'] };
          child.children = [{ type: 'text', value: text.slice(1, -1) }];
        } else visit(child, inPre || child.tagName === 'pre');
      }
    };
    visit(tree, false);
  };
}
