/** Resolves after n animation frames. */
export const frames = (n: number) =>
  new Promise<void>((r) => {
    const tick = (k: number) => (k <= 0 ? r() : requestAnimationFrame(() => tick(k - 1)));
    tick(n);
  });

/** Collects the detail of every `type` event the element fires. */
export function collect(el: HTMLElement, type: string): unknown[] {
  const got: unknown[] = [];
  el.addEventListener(type, (e) => got.push((e as CustomEvent).detail));
  return got;
}
