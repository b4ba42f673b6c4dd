// @ts-check
// PNG text chunks: what the sheet is (title, the office that issued it, the date, the source,
// the legend) written into the PNG file itself as iTXt chunks (UTF-8, for Vietnamese), so
// that a copy kept in the council's records says what it shows without the page. A canvas
// writes no text chunk, hence this: a chunk is its length, type, data and a CRC-32 of type
// and data (the PNG specification, section 5.3), inserted before the image's end (IEND).

/** The CRC-32 table of the PNG specification (polynomial 0xEDB88320). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of `bytes`.
 * @param {Uint8Array} bytes
 */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * An iTXt chunk: `keyword` (Latin-1, 1-79 characters), uncompressed UTF-8 `text`.
 * @param {string} keyword
 * @param {string} text
 */
function itxt(keyword, text) {
  const encoder = new TextEncoder();
  // keyword, NUL, compression flag 0, method 0, language tag "", NUL, translated keyword "", NUL, text
  const data = new Uint8Array([...encoder.encode(keyword), 0, 0, 0, 0, 0, ...encoder.encode(text)]);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(encoder.encode('iTXt'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/**
 * `png` with a text chunk for each `[keyword, text]`, before its IEND chunk.
 * @param {Uint8Array} png
 * @param {[string, string][]} texts
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function withTextChunks(png, texts) {
  // IEND is the last chunk: 4 bytes of length (0), "IEND", 4 bytes of CRC.
  const end = png.length - 12;
  if (end < 8 || new TextDecoder().decode(png.subarray(end + 4, end + 8)) !== 'IEND') throw new Error('not a PNG ending with IEND');
  const chunks = texts.map(([keyword, text]) => itxt(keyword, text));
  const out = new Uint8Array(png.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(png.subarray(0, end), 0);
  let at = end;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  out.set(png.subarray(end), at);
  return out;
}

/**
 * The iTXt chunks of a PNG, by keyword (for checking a file).
 * @param {Uint8Array} png
 * @returns {Record<string, string>}
 */
export function readTextChunks(png) {
  /** @type {Record<string, string>} */
  const texts = {};
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const decoder = new TextDecoder();
  for (let at = 8; at + 12 <= png.length;) {
    const length = view.getUint32(at);
    const type = decoder.decode(png.subarray(at + 4, at + 8));
    if (type === 'iTXt') {
      const data = png.subarray(at + 8, at + 8 + length);
      const nul = data.indexOf(0);
      const keyword = decoder.decode(data.subarray(0, nul));
      // After the keyword: flag, method, the language tag and translated keyword (each NUL-ended).
      let p = nul + 3;
      p = data.indexOf(0, p) + 1;
      p = data.indexOf(0, p) + 1;
      texts[keyword] = decoder.decode(data.subarray(p));
    }
    at += 12 + length;
  }
  return texts;
}
