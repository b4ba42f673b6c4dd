// Vietnamese formatting of attribute values: 1.234,5 · 2.500.000 ₫ · 05/09/2022 · 1,2 km.

const LOCALE = 'vi-VN';
const number = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const plainInteger = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0, useGrouping: false });
const vnd = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });
const km = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const metres = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

export const formatNumber = (value) => number.format(value);
export const formatVnd = (value) => vnd.format(value);

/** `2022-09-05` (or a full timestamp) as `05/09/2022`, without time-zone shifts. */
export function formatDate(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value));
  return match ? `${match[3]}/${match[2]}/${match[1]}` : String(value);
}

/** A length in metres: `850 m` under a kilometre, `1,2 km` above. */
export function formatLength(m) {
  return m < 1000 ? `${metres.format(m)} m` : `${km.format(m / 1000)} km`;
}

/**
 * A property value shown with its catalogue field: enum values by their label, dates as
 * dd/mm/yyyy, `*_vnd` amounts in đồng, years without grouping, other numbers Vietnamese style.
 * Returns null for empty values.
 */
export function formatField(field, value, termLabel) {
  if (value === null || value === undefined || value === '') return null;
  switch (field.type) {
    case 'enum': {
      const term = (field.values ?? []).find((v) => v.value === value);
      return term ? termLabel(term) : String(value);
    }
    case 'date':
      return formatDate(value);
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n)) return String(value);
      if (field.name.endsWith('_vnd')) return formatVnd(n);
      if (field.name === 'year') return plainInteger.format(n);
      return formatNumber(n);
    }
    default:
      return String(value);
  }
}
