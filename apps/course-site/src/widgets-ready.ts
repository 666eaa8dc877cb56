// Shared by the lecture page and the slides.
import 'virtual:convlab/define-all';
import { widgets } from 'virtual:convlab/widgets';

/**
 * The page is ready for a reader (and for the end-to-end tests) once every widget on it has a first
 * result: the event widgets.json names for its tag.
 */
export function markReadyWhenWidgetsAre(): void {
  const waits = widgets.flatMap((w) =>
    w.readyEvent ? [...document.querySelectorAll(w.tag)].map((el) => new Promise((r) => el.addEventListener(w.readyEvent!, r, { once: true }))) : [],
  );
  void Promise.all(waits).then(() => (document.body.dataset.ready = 'true'));
}
