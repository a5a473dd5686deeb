import { Reader, Writer } from 'protobufjs/minimal';
import { createReader, WireFormatError } from './otlpRoot';

// The codec's reader (createReader) reads varints and strings itself; it must read exactly what
// protobufjs' own reader reads, and refuse what runs past the end.

const VALUES = [
  0,
  1,
  127,
  128,
  300,
  16_383,
  16_384,
  2 ** 21 - 1,
  2 ** 21,
  2 ** 28 - 1,
  2 ** 28,
  2 ** 32 - 1,
];

describe('the codec reader', () => {
  it('reads every varint length as protobufjs does, mid-buffer and at its very end', () => {
    const writer = Writer.create();
    for (const v of VALUES) writer.uint32(v);
    writer.int32(-1).int32(-123_456).uint32(5);
    const bytes = Buffer.from(writer.finish());
    const ours = createReader(bytes);
    const theirs = Reader.create(new Uint8Array(bytes));
    for (let i = 0; i < VALUES.length; i++) {
      expect(ours.uint32()).toBe(theirs.uint32());
      expect(ours.pos).toBe(theirs.pos);
    }
    expect([ours.int32(), ours.int32(), ours.uint32()]).toEqual([
      -1, -123_456, 5,
    ]);
    expect(ours.pos).toBe(bytes.length);
    for (const v of VALUES) {
      const alone = Buffer.from(Writer.create().uint32(v).finish());
      expect(createReader(alone).uint32()).toBe(v);
    }
  });

  it('refuses a varint cut off by the end of the buffer', () => {
    expect(() => createReader(Buffer.from([0x80, 0x80])).uint32()).toThrow(
      RangeError,
    );
  });

  it('reads strings, and refuses one longer than what is left', () => {
    const bytes = Buffer.from(
      Writer.create()
        .string('héllo')
        .string('')
        .string('x'.repeat(300))
        .finish(),
    );
    const reader = createReader(bytes);
    expect([reader.string(), reader.string(), reader.string()]).toEqual([
      'héllo',
      '',
      'x'.repeat(300),
    ]);
    expect(() => createReader(Buffer.from([5, 0x61, 0x62])).string()).toThrow(
      WireFormatError,
    );
  });
});
