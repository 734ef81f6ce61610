import { freshCollection } from './helpers';

describe('aggregate', () => {
  function sample() {
    const { engine, coll } = freshCollection('jobs');
    coll.insertMany([
      { _id: 1, s: 'a', n: 1, tags: ['x', 'y'], owner: 10 },
      { _id: 2, s: 'b', n: 2, tags: ['y'], owner: 11 },
      { _id: 3, s: 'a', n: 3, tags: [], owner: 10 },
    ], true);
    return { engine, coll };
  }

  it('runs the common stages', () => {
    const { coll } = sample();
    expect(coll.aggregate([
      { $match: { n: { $gte: 1 } } }, { $group: { _id: '$s', total: { $sum: '$n' } } }, { $sort: { _id: 1 } },
    ])).toEqual([{ _id: 'a', total: 4 }, { _id: 'b', total: 2 }]);
    expect(coll.aggregate([{ $unwind: '$tags' }, { $count: 'n' }])).toEqual([{ n: 3 }]);
    expect(coll.aggregate([{ $sort: { n: -1 } }, { $skip: 1 }, { $limit: 1 }, { $project: { n: 1 } }])).toEqual([{ _id: 2, n: 2 }]);
    expect(coll.aggregate([{ $facet: { c: [{ $count: 'n' }], top: [{ $sort: { n: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }] } }]))
      .toEqual([{ c: [{ n: 3 }], top: [{ _id: 3 }] }]);
    expect(coll.aggregate([{ $match: { _id: 1 } }, { $addFields: { d: { $multiply: ['$n', 2] } } }, { $project: { d: 1, _id: 0 } }]))
      .toEqual([{ d: 2 }]);
  });

  it('answers the countDocuments pipeline, empty when nothing matches', () => {
    const { coll } = sample();
    expect(coll.aggregate([{ $match: { s: 'a' } }, { $group: { _id: 1, n: { $sum: 1 } } }])).toEqual([{ _id: 1, n: 2 }]);
    expect(coll.aggregate([{ $match: { s: 'a' } }, { $skip: 1 }, { $group: { _id: 1, n: { $sum: 1 } } }])).toEqual([{ _id: 1, n: 1 }]);
    expect(coll.aggregate([{ $match: { s: 'zz' } }, { $group: { _id: 1, n: { $sum: 1 } } }])).toEqual([]);
  });

  it('never mutates stored documents', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, nested: { k: 1 }, arr: [1] }], true);
    coll.aggregate([{ $set: { 'nested.k': 5, extra: 1 } }]);
    coll.aggregate([{ $addFields: { 'nested.z': 1 } }, { $unset: 'arr' }]);
    expect(coll.find({})).toEqual([{ _id: 1, nested: { k: 1 }, arr: [1] }]);
  });

  it('resolves $lookup and $unionWith on the same database', () => {
    const { engine, coll } = sample();
    const users = engine.database('test').collection('users', true);
    users?.insertMany([{ _id: 10, name: 'ann' }, { _id: 11, name: 'bob' }], true);
    const joined = coll.aggregate([
      { $match: { _id: 1 } }, { $lookup: { from: 'users', localField: 'owner', foreignField: '_id', as: 'u' } },
      { $project: { name: { $arrayElemAt: ['$u.name', 0] } } },
    ]);
    expect(joined).toEqual([{ _id: 1, name: 'ann' }]);
    expect(coll.aggregate([{ $project: { _id: 1 } }, { $unionWith: { coll: 'users', pipeline: [{ $project: { _id: 1 } }] } }]))
      .toHaveLength(5);
    expect(users?.find({})).toEqual([{ _id: 10, name: 'ann' }, { _id: 11, name: 'bob' }]);
  });

  it('rejects $changeStream like a standalone', () => {
    const { coll } = sample();
    expect(() => coll.aggregate([{ $changeStream: {} }])).toThrow(expect.objectContaining({ code: 40573 }));
  });
});
