// The slide deck: reveal.js scales every slide (CSS transform or zoom); the widgets map pointers
// through getBoundingClientRect, so clicks and drags land where they are aimed at any scale.
import Reveal from 'reveal.js';
import 'reveal.js/reveal.css';
import './slides.css';
import '@convlab/models';
// Every widget in widgets.json is defined on this page.
import { markReadyWhenWidgetsAre } from './widgets-ready.js';

/**
 * Keys pressed inside a widget (its slider, number fields, selects, the occlusion map's occluder, the
 * draw pad) are the widget's: reveal.js sees the event retargeted to the widget's host element, not
 * the inner control, so it would otherwise turn slides on the arrow keys. Click outside a widget
 * (or press Escape in it and Tab away) to use the keyboard for the deck again.
 */
function keyIsForTheDeck(event: KeyboardEvent): boolean {
  return !event.composedPath().some((n) => n instanceof HTMLElement && n.localName.includes('-') && n.closest('.reveal .slides'));
}

const deck = new Reveal({
  hash: true,
  width: 1280,
  height: 860,
  margin: 0.04,
  center: false,
  transition: 'none',
  keyboardCondition: keyIsForTheDeck,
});
await deck.initialize();
(window as unknown as { deck: typeof deck }).deck = deck;

markReadyWhenWidgetsAre();
