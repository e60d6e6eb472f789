#!/usr/bin/env node
'use strict';
const slugify = require('./index');

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: slugger TITLE...');
  process.exit(2);
}
for (const title of args) console.log(`${title} => ${slugify(title)}`);
console.log(`(native addon, node ${process.versions.node}, user ${require('os').userInfo().username})`);
