// @ts-check
// Drawing on the print sheet's canvas: text that fits or wraps, text with a halo (labels over
// the map), a rounded box, a scale bar and a north arrow. Sizes are in the canvas's pixels;
// the callers convert from millimetres (sheet.js).
//
// Canvas text is drawn with the page's own font stack (system sans-serif faces carry the
// Vietnamese diacritics), not with MapLibre's glyphs.

/** The page's font stack, for canvas text. */
export const fontStack = () => getComputedStyle(document.body).fontFamily || 'sans-serif';

export const INK = '#1f2330';
export const INK_SOFT = '#5b6272';

/**
 * Sets the canvas font: `weight` and `size` in pixels, the page's font stack, `italic`.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} size
 * @param {{ weight?: number, italic?: boolean }} [options]
 */
export function setFont(ctx, size, { weight = 400, italic = false } = {}) {
  ctx.font = `${italic ? 'italic ' : ''}${weight} ${Math.round(size)}px ${fontStack()}`;
}

/**
 * Shortens `text` with an ellipsis until it fits in `width` (with the current font).
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} width
 */
export function fit(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}

/**
 * The lines of `text` wrapped at spaces to `width` (with the current font); a word longer
 * than the width is shortened.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} width
 * @returns {string[]}
 */
export function wrap(ctx, text, width) {
  /** @type {string[]} */
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (ctx.measureText(candidate).width <= width || !line) line = candidate;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => fit(ctx, l, width));
}

/**
 * Writes `text` with a white halo around it, so that it reads over lines and colours.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} x
 * @param {number} y
 * @param {number} halo the halo's width in pixels
 */
export function haloText(ctx, text, x, y, halo) {
  ctx.save();
  ctx.lineJoin = 'round';
  ctx.miterLimit = 2;
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.92)';
  ctx.lineWidth = halo * 2;
  ctx.strokeText(text, x, y);
  ctx.restore();
  ctx.fillText(text, x, y);
}

/**
 * A rounded rectangle's path.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {number} r the corners' radius
 */
export function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/**
 * A "nice" length for a scale bar: 1, 2 or 5 times a power of ten, at most `max` metres.
 * @param {number} max
 */
export function niceLength(max) {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [5, 2, 1]) if (m * p <= max) return m * p;
  return p;
}

/**
 * A scale bar of `metres` that is `width` pixels long, in four alternating blocks, with 0,
 * the half and the whole written above it; its bottom left at (x, y).
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ x: number, y: number, width: number, height: number, metres: number, label: (m: number) => string, font: number }} bar
 */
export function scaleBar(ctx, { x, y, width, height, metres, label, font }) {
  const blocks = 4;
  const w = width / blocks;
  for (let i = 0; i < blocks; i += 1) {
    ctx.fillStyle = i % 2 === 0 ? INK : '#ffffff';
    ctx.fillRect(x + i * w, y - height, w, height);
  }
  ctx.strokeStyle = INK;
  ctx.lineWidth = Math.max(1, height / 6);
  ctx.strokeRect(x, y - height, width, height);
  ctx.fillStyle = INK;
  setFont(ctx, font, { weight: 600 });
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (const [at, m] of [[0, 0], [width / 2, metres / 2], [width, metres]]) ctx.fillText(label(m), x + at, y - height - font * 0.35);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
}

/**
 * A north arrow of radius `r` centred at (cx, cy), with the letter of north above it.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} cx
 * @param {number} cy
 * @param {number} r
 * @param {string} letter
 */
export function northArrow(ctx, cx, cy, r, letter) {
  ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
  ctx.beginPath();
  ctx.arc(cx, cy, r * 1.25, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = INK;
  ctx.lineWidth = Math.max(1, r / 16);
  ctx.stroke();
  ctx.fillStyle = INK;
  ctx.beginPath();
  ctx.moveTo(cx, cy - r * 0.85);
  ctx.lineTo(cx + r * 0.42, cy + r * 0.6);
  ctx.lineTo(cx, cy + r * 0.3);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = '#9aa0ab';
  ctx.beginPath();
  ctx.moveTo(cx, cy - r * 0.85);
  ctx.lineTo(cx - r * 0.42, cy + r * 0.6);
  ctx.lineTo(cx, cy + r * 0.3);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = INK;
  setFont(ctx, r * 0.62, { weight: 800 });
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(letter, cx, cy - r * 1.3);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
}

/**
 * A diagonal hatch in a box (the legend's "no data" entry).
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {{ fill: string, stroke: string, step: number, line: number }} style
 */
export function hatch(ctx, x, y, w, h, { fill, stroke, step, line }) {
  ctx.save();
  ctx.fillStyle = fill;
  ctx.fillRect(x, y, w, h);
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.strokeStyle = stroke;
  ctx.lineWidth = line;
  for (let k = -h; k < w; k += step) {
    ctx.beginPath();
    ctx.moveTo(x + k, y + h);
    ctx.lineTo(x + k + h, y);
    ctx.stroke();
  }
  ctx.restore();
}
