// @ts-check
// Where the planner is, and where else they can go: when the server knows regions (provinces,
// districts, clusters of communes), a select at the foot of the legend opens a region's
// page, and the commune's province under its name links to its province's page.

import { required } from '../dom.js';
import { el } from '../element.js';
import { t } from '../i18n.js';
import { getState } from '../state.js';
import { regionUrl } from './url.js';

/** @import { Commune, Region } from '../types.js' */

/**
 * The label of a region in the select: its name and its kind.
 * @param {Region} region
 */
const regionLabel = (region) => `${region.name} (${t(`region.kind.${region.kind}`)})`;

/**
 * Shows the region select (if there are regions) and, on a commune's page, its province as a
 * link to the province's page.
 * @param {Region[]} regions
 * @param {{ commune?: Commune | null, region?: Region | null }} here the commune shown, or the
 *   region shown (or come from)
 */
export function enablePlaces(regions, { commune = null, region = null }) {
  const nav = required('.places', HTMLElement);
  if (regions.length === 0) {
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  const go = () => {
    const { indicator, asOf } = getState().view;
    return { indicator, asOf };
  };
  const select = el('select', { id: 'region-select', 'aria-label': t('region.choose') },
    el('option', { value: '', selected: !region || Boolean(commune) }, t('region.choose')),
    regions.map((r) => el('option', { value: r.code, selected: !commune && r.code === region?.code }, regionLabel(r))));
  select.addEventListener('change', () => {
    if (select.value) location.assign(regionUrl(select.value, go()));
  });
  nav.replaceChildren(select);

  // The commune's province, as a link up to its page.
  const province = commune ? regions.find((r) => r.kind === 'province' && r.name === commune.province) : null;
  if (commune && province) {
    const line = required('.legend-province', HTMLElement);
    const link = el('a', { class: 'province-link', href: regionUrl(province.code, go()) }, province.name);
    link.addEventListener('click', () => { link.href = regionUrl(province.code, go()); });
    line.replaceChildren(link);
  }
}
