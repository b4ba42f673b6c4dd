// Reading the API's tables in the browser tests, with no library: a CSV (`;` or `,` between
// cells, quoted cells, a BOM), and an XLSX workbook (a ZIP of XML parts, unzipped here with
// Node's zlib: the central directory, then each entry's deflated data; the first sheet's
// cells with the shared strings resolved).

import { inflateRawSync } from 'node:zlib';

/** Rows of a CSV text as arrays of cells. */
export function parseCsv(text, delimiter = ';') {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\ufeff/, '');
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The entries of a ZIP archive: Map of name -> Buffer (stored or deflated entries). */
export function unzip(buffer) {
  // The end of central directory record: signature 0x06054b50, within the last 64 KiB + 22.
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 65557); i -= 1) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive: no end of central directory');
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n += 1) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry at ${at}`);
    const method = buffer.readUInt16LE(at + 10);
    const compressed = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const localName = buffer.readUInt16LE(local + 26);
    const localExtra = buffer.readUInt16LE(local + 28);
    const start = local + 30 + localName + localExtra;
    const data = buffer.subarray(start, start + compressed);
    entries.set(name, method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : null);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const unescapeXml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The column index (0-based) of a cell reference such as `D12`. */
const columnOf = (ref) => [...ref.replace(/\d+$/, '')].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;

/**
 * The first worksheet of an XLSX workbook as rows of cells: strings (shared or inline) as
 * strings, numbers as numbers, by their row and column in the sheet (row 0 is the first).
 */
export function readXlsx(buffer) {
  const parts = unzip(buffer);
  const shared = [];
  const sst = parts.get('xl/sharedStrings.xml')?.toString('utf8') ?? '';
  for (const si of sst.matchAll(/<si>([\s\S]*?)<\/si>/g)) {
    shared.push(unescapeXml([...si[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join('')));
  }
  const sheet = parts.get('xl/worksheets/sheet1.xml')?.toString('utf8');
  if (!sheet) throw new Error('the workbook has no xl/worksheets/sheet1.xml');
  const rows = [];
  for (const r of sheet.matchAll(/<row[^>]*\br="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
    const cells = [];
    for (const c of r[2].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1];
      const ref = /\br="([A-Z]+\d+)"/.exec(attrs)?.[1];
      const type = /\bt="(\w+)"/.exec(attrs)?.[1];
      const v = /<v>([\s\S]*?)<\/v>/.exec(c[2] ?? '')?.[1];
      const inline = /<is>[\s\S]*?<t[^>]*>([\s\S]*?)<\/t>/.exec(c[2] ?? '')?.[1];
      let value = null;
      if (type === 's' && v !== undefined) value = shared[Number(v)];
      else if (type === 'inlineStr' && inline !== undefined) value = unescapeXml(inline);
      else if (type === 'str' && v !== undefined) value = unescapeXml(v);
      else if (v !== undefined) value = Number(v);
      cells[columnOf(ref)] = value;
    }
    rows[Number(r[1]) - 1] = cells;
  }
  return rows;
}
