// The view in the URL's query string, so that a link reproduces it:
// ?commune=17131&ind=concrete_pct&as_of=2016-12-31&group=TDP04&map=15.20/19.2501/105.7010
// (`lang` is kept as the i18n module reads it). Written with history.replaceState.

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `{commune, indicator, asOf, group, view: {zoom, center} | null, present, slide}` from the
 * current URL (`present=1&slide=3`: the presentation at its third slide, see present.js).
 */
export function readUrlState(search = location.search) {
  const params = new URLSearchParams(search);
  let view = null;
  const match = /^(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(params.get('map') ?? '');
  if (match) {
    const [zoom, lat, lng] = match.slice(1).map(Number);
    if (zoom >= 0 && zoom <= 22 && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) view = { zoom, center: [lng, lat] };
  }
  const asOf = params.get('as_of');
  return {
    commune: params.get('commune') || null,
    indicator: params.get('ind') || null,
    asOf: asOf && DATE.test(asOf) ? asOf : null,
    group: params.get('group') || null,
    view,
    present: params.get('present') === '1',
    slide: /^\d+$/.test(params.get('slide') ?? '') ? Number(params.get('slide')) : null,
  };
}

/** Replaces the URL's query with the view (other parameters, such as lang, are kept). */
export function writeUrlState({ commune, indicator, asOf, group, view }) {
  const url = new URL(location.href);
  const set = (key, value) => (value ? url.searchParams.set(key, value) : url.searchParams.delete(key));
  set('commune', commune);
  set('ind', indicator);
  set('as_of', asOf);
  set('group', group);
  set('map', view ? `${view.zoom.toFixed(2)}/${view.center[1].toFixed(5)}/${view.center[0].toFixed(5)}` : null);
  if (url.href !== location.href) history.replaceState(null, '', url);
}
