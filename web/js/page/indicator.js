// @ts-check
// The choropleth on the map: which indicator colours the groups (the select in the legend, or
// the panel's), the groups' fill colours and no-data hatch for it, the class legend under the
// select, and the groups' labels ("TDP 4" and the value). Sets the store's view.indicator and
// data.classes.

import { classesFor, fillColorExpression, formatIndicator, indicatorById, indicatorValue, INDICATORS, noDataFilter, renderClassLegend, targetOf } from '../choropleth.js';
import { required } from '../dom.js';
import { t } from '../i18n.js';
import { geojsonSource, GROUP_LABELS } from '../layers.js';
import { getState, update } from '../state.js';

/** @import { GroupCollection, Page } from '../types.js' */

/**
 * `Tổ dân phố 4` as `TDP 4`, for the map's labels.
 * @param {string} name
 */
const shortName = (name) => name.replace(/^Tổ dân phố /, 'TDP ');

/**
 * Writes each group's map label (its short name and its value of the indicator) into its
 * properties; returns the same collection. Does nothing when labels are off (`?labels=0`).
 * @param {GroupCollection} collection
 * @param {string} indicatorId
 * @returns {GroupCollection}
 */
export function withLabels(collection, indicatorId) {
  if (!GROUP_LABELS) return collection;
  const indicator = indicatorById(indicatorId);
  for (const f of collection.features) {
    const value = indicatorValue(indicator, f.properties);
    f.properties.label = `${shortName(f.properties.name)}\n${formatIndicator(indicator, value, { short: true })}`;
  }
  return collection;
}

/**
 * @typedef {object} IndicatorControl
 * @property {() => void} apply colours the groups for the view's indicator and data
 * @property {(id: string) => void} set colours the groups by another indicator
 */

/**
 * The legend's indicator select and the choropleth.
 * @param {Page} page
 * @param {{ onChange: () => void }} options `onChange`: after another indicator is applied
 * @returns {IndicatorControl}
 */
export function createIndicatorControl({ map }, { onChange }) {
  const select = required('#indicator', HTMLSelectElement);
  select.replaceChildren(...INDICATORS.map((i) => {
    const option = document.createElement('option');
    option.value = i.id;
    option.textContent = t(`indicator.${i.id}`);
    return option;
  }));
  select.value = getState().view.indicator;
  select.addEventListener('change', () => set(select.value));

  function apply() {
    const { coverage, geojson } = getState().data;
    if (!coverage || !geojson) return;
    const indicator = indicatorById(getState().view.indicator);
    const values = geojson.features.map((f) => indicatorValue(indicator, f.properties));
    const classes = classesFor(indicator, values);
    update('data', { classes });
    if (map.getLayer('groups-fill')) {
      map.setPaintProperty('groups-fill', 'fill-color', fillColorExpression(indicator, classes));
      map.setFilter('groups-nodata', noDataFilter(indicator));
    }
    renderClassLegend(required('.class-legend', HTMLElement), {
      indicator,
      classes,
      target: targetOf(indicator, coverage.settings),
      hasNoData: values.some((v) => v === null),
    });
  }

  /** @param {string} id */
  function set(id) {
    update('view', { indicator: indicatorById(id).id });
    const { indicator } = getState().view;
    select.value = indicator;
    const { geojson } = getState().data;
    if (GROUP_LABELS && geojson) geojsonSource(map, 'groups')?.setData(withLabels(geojson, indicator));
    apply();
    onChange();
  }

  return { apply, set };
}
