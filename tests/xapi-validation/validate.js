// Validates xAPI statements with Learning Locker's xapi-validation (npm).
// Reads a JSON array of statements from the file named by argv[2] and
// prints one JSON line: [{ "index": n, "errors": ["..."] }] for each
// statement with any warning (an empty array when all are valid).
'use strict';
const fs = require('fs');
const validate = require('xapi-validation').default;

const statements = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = [];
statements.forEach((s, index) => {
  const warnings = validate(s);
  if (warnings.length > 0) {
    out.push({
      index,
      errors: warnings.map((w) => `${(w.path || []).join('.')}: ${w.message || w.constructor.name} ${JSON.stringify(w.data)}`),
    });
  }
});
console.log(JSON.stringify(out));
