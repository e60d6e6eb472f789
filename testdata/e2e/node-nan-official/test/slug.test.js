'use strict';
const test = require('node:test');
const assert = require('node:assert');
const slugify = require('..');

test('ascii', () => assert.strictEqual(slugify('Hello, World!'), 'hello-world'));
test('latin-1', () => assert.strictEqual(slugify('Crème Brûlée à la Straße'), 'creme-brulee-a-la-strasse'));
test('separator', () => assert.strictEqual(slugify('a b c', '_'), 'a_b_c'));
