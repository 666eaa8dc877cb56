/**
 * For widget tests: open a model widget's Draw tab (ModelSource's source tabs) and draw a vertical
 * stroke down the middle of its pad with pointer events, as a student's mouse would: a "1".
 * Resolves when the stroke has been dispatched (the widget then classifies it on its own).
 */
export async function drawVerticalStroke(widget: HTMLElement & { updateComplete: Promise<unknown> }): Promise<void> {
  const drawButton = [...widget.shadowRoot!.querySelectorAll('.tabs button')].find((b) => b.textContent === 'Draw') as HTMLButtonElement;
  drawButton.click();
  await widget.updateComplete;
  const pad = widget.shadowRoot!.querySelector('convlab-draw-pad')!;
  await (pad as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  const surface = pad.shadowRoot!.querySelector('canvas')!;
  const r = surface.getBoundingClientRect();
  const at = (fx: number, fy: number, type: string) =>
    surface.dispatchEvent(
      new PointerEvent(type, { bubbles: true, composed: true, pointerId: 1, isPrimary: true, buttons: type === 'pointerup' ? 0 : 1, clientX: r.left + fx * r.width, clientY: r.top + fy * r.height }),
    );
  at(0.5, 0.15, 'pointerdown');
  for (let i = 1; i <= 20; i++) at(0.5, 0.15 + (0.7 * i) / 20, 'pointermove');
  at(0.5, 0.85, 'pointerup');
}
