// The committed artifacts are exactly what the pinned compiler makes of the committed sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, serialise, ROOT, SOLC_VERSION, SETTINGS } from '../scripts/compile.mjs';

test('committed artifacts match a fresh compilation with the pinned solc-js', () => {
  const fresh = compile();
  assert.deepEqual(Object.keys(fresh).sort(), ['RiskGate', 'VerdictAnchor']);
  for (const [name, a] of Object.entries(fresh)) {
    const committed = readFileSync(join(ROOT, 'artifacts', `${name}.json`), 'utf8');
    assert.equal(committed, serialise(a), `artifacts/${name}.json is stale: run npm run compile`);
    assert.ok(a.compiler.solc.startsWith(SOLC_VERSION + '+'));
    assert.equal(a.compiler.settings.evmVersion, SETTINGS.evmVersion);
  }
});

test('every source pins the same solc version as package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.devDependencies.solc, SOLC_VERSION);
  for (const f of ['VerdictAnchor.sol', 'RiskGate.sol']) {
    const src = readFileSync(join(ROOT, 'src', f), 'utf8');
    assert.match(src, new RegExp(`^pragma solidity ${SOLC_VERSION.replace(/\./g, '\\.')};$`, 'm'));
  }
});
