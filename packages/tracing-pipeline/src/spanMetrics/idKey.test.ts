import { idKey } from './idKey';

describe('idKey', () => {
  it('gives distinct keys to distinct ids and equal keys to equal ids', () => {
    const ids = [
      [0, 0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 1, 0],
      [1, 0, 0, 0, 0, 0, 0, 0],
      [0xff, 0xfe, 0xd8, 0x00, 0xdc, 0x00, 0, 0],
      [1, 2, 3],
      [1, 2],
      [1, 2, 0],
      [1, 2, 0x80, 3],
    ].map(b => new Uint8Array(b));
    const keys = ids.map(idKey);
    expect(new Set(keys).size).toBe(ids.length);
    expect(idKey(new Uint8Array([0xd8, 0x00, 1, 2]))).toBe(
      idKey(new Uint8Array([0xd8, 0x00, 1, 2])),
    );
    expect(idKey(new Uint8Array(16)).length).toBe(9);
    expect(idKey(new Uint8Array([1, 2, 0x80, 3]))).not.toBe(
      idKey(new Uint8Array([1, 2, 3])),
    );
  });

  it('builds 16- and 8-byte ids the same way as any other length', () => {
    const generic = (b: Uint8Array) => {
      let key = String.fromCharCode(b.length);
      for (let i = 0; i + 1 < b.length; i += 2)
        key += String.fromCharCode((b[i] << 8) | b[i + 1]);
      return key;
    };
    for (const n of [8, 16]) {
      const bytes = Uint8Array.from(
        { length: n },
        (_, i) => (i * 37 + 250) & 0xff,
      );
      expect(idKey(bytes)).toBe(generic(bytes));
    }
  });
});
