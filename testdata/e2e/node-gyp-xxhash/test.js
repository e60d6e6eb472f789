'use strict';
const assert = require('assert');
const xxhash = require('bindings')('xxhash');
assert.strictEqual(xxhash.xxh64(Buffer.from('')), 'ef46db3751d8e999');
assert.strictEqual(xxhash.xxh64(Buffer.from('abc')), '44bc2cf5ad770999');
assert.throws(() => xxhash.xxh64('not a buffer'), TypeError);
console.log('addon tests passed');
