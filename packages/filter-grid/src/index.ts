/** @convlab/filter-grid: defines <filter-grid> (the only side effect of the package). */
import { FilterGrid } from './filter-grid.js';

export { FilterGrid, FILTER_CONTROLS, NORMALIZATION_NOTE } from './filter-grid.js';
export type { UnitSelectDetail, FiltersReadyDetail } from './filter-grid.js';

if (!customElements.get('filter-grid')) customElements.define('filter-grid', FilterGrid);

declare global {
  interface HTMLElementTagNameMap {
    'filter-grid': FilterGrid;
  }
  interface GlobalEventHandlersEventMap {
    'unit-select': CustomEvent<import('@convlab/tensor').UnitSelectDetail>;
    'filters-ready': CustomEvent<import('./filter-grid.js').FiltersReadyDetail>;
  }
}
