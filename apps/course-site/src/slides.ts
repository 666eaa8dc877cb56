// The slide deck: reveal.js scales every slide (CSS transform or zoom); the widgets map pointers
// through getBoundingClientRect, so clicks and drags land where they are aimed at any scale.
import Reveal from 'reveal.js';
import 'reveal.js/reveal.css';
import './slides.css';
import '@convlab/models';
import '@convlab/fgsm-demo';
import '@convlab/occlusion-map';

const deck = new Reveal({ hash: true, width: 1280, height: 860, margin: 0.04, center: false, transition: 'none' });
await deck.initialize();
(window as unknown as { deck: typeof deck }).deck = deck;

const firsts = [
  new Promise((r) => document.getElementById('fgsm')?.addEventListener('prediction-change', r, { once: true })),
  new Promise((r) => document.getElementById('occlusion')?.addEventListener('map-complete', r, { once: true })),
];
void Promise.all(firsts).then(() => (document.body.dataset.ready = 'true'));
