'use strict';
const native = require('bindings')('slug');

module.exports = function slugify(text, separator = '-') {
  return native.slugify(String(text), separator);
};
