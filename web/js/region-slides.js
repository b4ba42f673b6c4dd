// @ts-check
// A region's slides (present.js's machinery): the title; the overview (the region's totals
// against the targets, the share of communes with a model, how many communes meet each
// target); comparing two dates, the comparison; the ranking of the communes by the leading
// share; the communes behind its target, furthest first, with how far behind they are.

import { el } from './element.js';
import { formatDate, formatInteger, formatPct } from './format.js';
import { t } from './i18n.js';
import { findIndicator, formatChange, formatShown, indicatorTitle, indicatorValue } from './indicators.js';
import { comparisonTable, leadingShare, mainNumber, numberCards, otherFigures, slide, slideBars, titleSlide } from './present.js';
import { getState, loadedRegion } from './state.js';

/**
 * @import { Slide } from './present.js'
 * @import { CommuneLine, IndicatorSpec, RegionTotals } from './types.js'
 * @import { RegionPage } from './page/region.js'
 */

/**
 * How many communes meet each target, as slide cards.
 * @param {RegionTotals} totals
 */
function targetsMet(totals) {
  const entries = Object.entries(totals.targets_met ?? {}).filter(([, v]) => v.of > 0);
  if (entries.length === 0) return null;
  return el('div', { class: 'slide-cards slide-targets-met' }, entries.map(([id, { met, of }]) => {
    const spec = findIndicator(id);
    return el('div', { class: 'slide-card', dataset: { key: id } },
      el('div', { class: 'slide-label' }, t('region.slide_met', { indicator: spec ? indicatorTitle(spec) : id })),
      el('div', { class: 'slide-value' }, el('span', { class: 'v' }, t('region.met_of', { met: formatInteger(met), of: formatInteger(of) }))));
  }));
}

/**
 * The communes behind the target of `main`, furthest behind first: each with its figure and
 * the gap (percentage points for a share).
 * @param {CommuneLine[]} communes
 * @param {IndicatorSpec} main
 */
function behind(communes, main) {
  return communes
    .filter((c) => c.targets?.[main.id]?.met === false)
    .map((c) => {
      const target = c.targets?.[main.id]?.target ?? 0;
      const value = indicatorValue(main, c);
      return { c, target, value, gap: (value ?? 0) - target };
    })
    .sort((a, b) => a.gap - b.gap);
}

/**
 * The slides of a region, from the store's data.
 * @param {RegionPage} page
 * @returns {Slide[]}
 */
export function regionDeck({ region }) {
  const { region: report } = loadedRegion();
  const compared = getState().data.regionCompared;
  const totals = report.region;
  const main = leadingShare('region');
  const mainCommune = leadingShare('commune');
  const asOf = formatDate(report.as_of);
  /** @type {Slide[]} */
  const deck = [
    { kind: 'title', build: () => titleSlide({ name: totals.name, province: t(`region.kind.${region.kind}`), asOf: report.as_of, kicker: t('present.kicker') }) },
    {
      kind: 'overview',
      build: () => slide('overview', { kicker: t('region.overview'), name: totals.name, sub: [t('present.as_of', { date: asOf }), ' · ', t('region.communes', { n: formatInteger(totals.communes) })] },
        mainNumber(totals, main, { then: compared?.region ?? null, compared: compared ? formatDate(compared.as_of) : null }),
        numberCards(totals, otherFigures('region', main, 4), { then: compared?.region ?? null }),
        targetsMet(totals)),
    },
  ];
  if (compared) {
    deck.push({
      kind: 'compare',
      build: () => slide('compare', { kicker: t('compare.kicker'), name: totals.name, sub: [t('compare.between', { then: formatDate(compared.as_of), now: asOf })] },
        comparisonTable({ now: totals, then: compared.region, nowDate: report.as_of, thenDate: compared.as_of, level: 'region' })),
    });
  }
  deck.push({
    kind: 'ranking',
    build: () => {
      const rows = report.communes
        .map((c) => ({ code: c.code, name: c.name, value: indicatorValue(mainCommune, c), met: c.targets?.[mainCommune.id]?.met ?? null }))
        .sort((a, b) => (b.value ?? -1) - (a.value ?? -1))
        .map((r) => ({ ...r, text: formatShown(mainCommune, r.value) }));
      const max = mainCommune.kind === 'pct' ? 100 : Math.max(0, ...rows.map((r) => r.value ?? 0));
      const met = totals.targets_met?.[mainCommune.id];
      return slide('ranking', {
        kicker: t('region.ranking'),
        name: indicatorTitle(mainCommune),
        sub: [met ? t('region.met_line', { met: formatInteger(met.met), of: formatInteger(met.of) }) : asOf],
      }, slideBars(rows, { max }));
    },
  });
  deck.push({
    kind: 'behind',
    build: () => {
      const late = behind(report.communes, mainCommune);
      return slide('behind', {
        kicker: t('region.behind_kicker'),
        name: t('region.behind', { indicator: indicatorTitle(mainCommune) }),
        sub: [t('region.behind_count', { n: formatInteger(late.length), of: formatInteger(report.communes.length) })],
      }, late.length
        ? el('ol', { class: 'slide-behind' }, late.map(({ c, target, value }) => el('li', { dataset: { code: c.code } },
          el('span', { class: 'sb-name' }, c.name),
          el('span', { class: 'sb-value v' }, formatShown(mainCommune, value)),
          el('span', { class: 'sb-gap' }, t('region.gap', { gap: formatChange(mainCommune, value, target), target: formatPct(target) })))))
        : el('p', { class: 'slide-note' }, t('region.none_behind')));
    },
  });
  return deck;
}
