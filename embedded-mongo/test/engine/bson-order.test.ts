import { Binary, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { bsonEquals, compareBson } from '../../src/engine';

describe('BSON comparison order', () => {
  it('orders types as MongoDB does', () => {
    const ordered = [
      new MinKey(), null, 1, 'a', { a: 1 }, [1], new Binary(Buffer.from('x')), new ObjectId(),
      false, new Date(0), new Timestamp({ t: 1, i: 1 }), /re/, new MaxKey(),
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareBson(ordered[i], ordered[i + 1])).toBe(-1);
      expect(compareBson(ordered[i + 1], ordered[i])).toBe(1);
    }
  });

  it('compares numbers across numeric types and treats missing as null', () => {
    expect(compareBson(1, Long.fromNumber(1))).toBe(0);
    expect(compareBson(2, Long.fromNumber(1))).toBe(1);
    expect(compareBson(undefined, null)).toBe(0);
    expect(compareBson(Number.NaN, -Infinity)).toBe(-1);
  });

  it('compares within types', () => {
    expect(compareBson(new Date(1), new Date(2))).toBe(-1);
    const a = ObjectId.createFromHexString('000000000000000000000001');
    const b = ObjectId.createFromHexString('000000000000000000000002');
    expect(compareBson(a, b)).toBe(-1);
    expect(compareBson([1, 2], [1, 3])).toBe(-1);
    expect(compareBson('b', 'a')).toBe(1);
  });

  it('embedded document equality depends on field order', () => {
    expect(bsonEquals({ a: 1, b: 2 }, { a: 1, b: 2 })).toBe(true);
    expect(bsonEquals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
  });
});
