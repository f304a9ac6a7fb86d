// Validates a speedscope file against the JSON schema the speedscope npm
// package ships (dist/release/file-format-schema.json), with ajv.
//
// Usage: node validate_speedscope.js NODE_PREFIX FILE.json
//   NODE_PREFIX: where `npm install --prefix` put speedscope and ajv.
// Exit 0 when valid; 1 with the schema's complaints otherwise.
'use strict';
const fs = require('fs');
const path = require('path');

const [prefix, file] = process.argv.slice(2);
if (!prefix || !file) {
  console.error('usage: node validate_speedscope.js NODE_PREFIX FILE.json');
  process.exit(2);
}
const modules = path.join(prefix, 'node_modules');
const Ajv = require(path.join(modules, 'ajv'));
const schema = JSON.parse(fs.readFileSync(
  path.join(modules, 'speedscope', 'dist', 'release', 'file-format-schema.json'), 'utf8'));
const data = JSON.parse(fs.readFileSync(file, 'utf8'));

const ajv = new Ajv({allErrors: true, strict: false});
const validate = ajv.compile(schema);
if (!validate(data)) {
  console.error('speedscope schema: ' + ajv.errorsText(validate.errors));
  process.exit(1);
}
console.log('valid speedscope file: ' + data.profiles.length + ' profiles, ' +
            data.shared.frames.length + ' frames');
