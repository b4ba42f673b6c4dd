// PNG text chunks (web/js/print/png.js), in Node: pure functions over bytes.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { deflateSync } from 'node:zlib';
import { crc32, readTextChunks, withTextChunks } from '../../web/js/print/png.js';

test('CRC-32 of the check string of the standard', () => {
  // The CRC-32 of "123456789" is 0xCBF43926 (the check value of the ISO-HDLC CRC-32).
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

/** A 1 x 1 PNG made here: signature, IHDR, IDAT (deflated by zlib), IEND, each with its CRC. */
function tinyPng() {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const idat = deflateSync(Buffer.from([0, 255, 0, 0]));
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]));
}

test('text chunks go before IEND and read back, in UTF-8', () => {
  const png = tinyPng();
  const out = withTextChunks(png, [['Title', 'Bản đồ Phường Quỳnh Xuân'], ['kheo:legend', '[{"layer":"roads"}]']]);
  assert.deepEqual(readTextChunks(out), { Title: 'Bản đồ Phường Quỳnh Xuân', 'kheo:legend': '[{"layer":"roads"}]' });
  assert.equal(Buffer.from(out.subarray(out.length - 8, out.length - 4)).toString('latin1'), 'IEND');
  // Every chunk's CRC is right.
  const view = new DataView(out.buffer);
  for (let at = 8; at < out.length;) {
    const length = view.getUint32(at);
    assert.equal(view.getUint32(at + 8 + length), crc32(out.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  }
  assert.throws(() => withTextChunks(png.subarray(0, png.length - 4), []), /IEND/);
});
