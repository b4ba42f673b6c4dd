// @ts-check
// The choropleth on the map: which indicator colours the units (the select in the legend, or
// the panel's), their fill colours and no-data hatch for it, the class legend under the
// select, and the units' labels ("TDP 4" and the value). The choices are the indicator
// catalogue's (`outputs.choropleth` at the units' level). Sets the store's view.indicator and
// data.classes. A commune's page colours its groups; a region's page its communes.

import { choroplethChoices, choroplethIndicator, classesFor, fillColorExpression, formatIndicator, indicatorValue, noDataFilter, renderClassLegend, targetOf } from '../choropleth.js';
import { required } from '../dom.js';
import { indicatorTitle, titleWithUnit } from '../indicators.js';
import { GROUP_LABELS, paintUnits, setUnitsData } from '../layers.js';
import { getState, update } from '../state.js';

/**
 * @import { GroupCollection } from '../types.js'
 * @import { Level } from '../indicators.js'
 * @import { Units } from '../layers.js'
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 */

/**
 * `Tổ dân phố 4` as `TDP 4`, `Residential group 4` as `RG 4`, for the map's labels.
 * @param {string} name
 */
const shortName = (name) => name.replace(/^Tổ dân phố /, 'TDP ').replace(/^Residential group /, 'RG ');

/**
 * Writes each unit's map label (its short name and its value of the indicator) into its
 * properties; returns the same collection. Does nothing when labels are off (`?labels=0`).
 * @param {GroupCollection} collection
 * @param {string} indicatorId
 * @param {Level} level the units' level
 * @returns {GroupCollection}
 */
export function withLabels(collection, indicatorId, level) {
  if (!GROUP_LABELS) return collection;
  const indicator = choroplethIndicator(indicatorId, level);
  for (const f of collection.features) {
    const value = indicatorValue(indicator, f.properties);
    f.properties.label = `${shortName(String(f.properties.name ?? ''))}\n${formatIndicator(indicator, value)}`;
  }
  return collection;
}

/**
 * @typedef {object} IndicatorControl
 * @property {() => void} apply colours the units for the view's indicator and data
 * @property {(id: string) => void} set colours the units by another indicator
 */

/**
 * The options of an indicator select: the choices at `level`, titled with their unit.
 * @param {HTMLSelectElement} select
 * @param {Level} level
 */
export function fillIndicatorSelect(select, level) {
  select.replaceChildren(...choroplethChoices(level).map((i) => {
    const option = document.createElement('option');
    option.value = i.id;
    option.textContent = titleWithUnit(i);
    option.title = indicatorTitle(i);
    return option;
  }));
}

/**
 * The legend's indicator select and the choropleth.
 * @param {{ map: MapLibreMap, units: Units | null }} page
 * @param {{ level: Level, onChange: () => void, target?: (id: string) => number | null }} options
 *   `onChange`: after another indicator is applied; `target`: the target shown on the class
 *   legend (by default the commune's, from its coverage settings)
 * @returns {IndicatorControl}
 */
export function createIndicatorControl({ map, units }, { level, onChange, target }) {
  const select = required('#indicator', HTMLSelectElement);
  fillIndicatorSelect(select, level);
  select.value = getState().view.indicator;
  select.addEventListener('change', () => set(select.value));
  const targetFor = target ?? ((id) => targetOf(choroplethIndicator(id, level), getState().data.coverage?.settings));

  function apply() {
    const { geojson } = getState().data;
    if (!geojson) return;
    const indicator = choroplethIndicator(getState().view.indicator, level);
    const values = geojson.features.map((f) => indicatorValue(indicator, f.properties));
    const classes = classesFor(indicator, values);
    update('data', { classes });
    paintUnits(map, units, fillColorExpression(indicator, classes), noDataFilter(indicator));
    renderClassLegend(required('.class-legend', HTMLElement), {
      indicator,
      classes,
      target: targetFor(indicator.id),
      hasNoData: values.some((v) => v === null),
    });
  }

  /** @param {string} id */
  function set(id) {
    update('view', { indicator: choroplethIndicator(id, level).id });
    const { indicator } = getState().view;
    select.value = indicator;
    const { geojson } = getState().data;
    if (GROUP_LABELS && geojson) setUnitsData(map, units, withLabels(geojson, indicator, level));
    apply();
    onChange();
  }

  return { apply, set };
}
