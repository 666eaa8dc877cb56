/**
 * Saves a canvas as a PNG file through the browser's download: canvas.toBlob, then a temporary
 * `<a download>` clicked once. Rejects when the canvas cannot be encoded (for example a canvas
 * tainted by a cross-origin image).
 */
export async function savePng(canvas: HTMLCanvasElement, filename: string): Promise<void> {
  let blob: Blob | null;
  try {
    blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  } catch (e) {
    throw new Error('The picture cannot be saved: the canvas holds pixels from another site.', { cause: e });
  }
  if (!blob) throw new Error('The picture cannot be saved: the canvas could not be encoded as PNG.');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = /\.png$/i.test(filename) ? filename : `${filename || 'image'}.png`;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    // The download reads the blob asynchronously: revoke later, not now.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
