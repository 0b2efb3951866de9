// Compiles src/*.sol with the pinned solc-js (package.json) from a standard-JSON input whose
// settings are pinned here, and writes one artifact per contract to artifacts/<Name>.json.
//   node scripts/compile.mjs          write the artifacts
//   node scripts/compile.mjs --check  recompile and fail if the committed artifacts differ
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SOLC_VERSION = '0.8.37';
export const SETTINGS = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: 'ipfs' },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
  },
};

export function compile() {
  const actual = solc.version();
  if (!actual.startsWith(SOLC_VERSION + '+')) {
    throw new Error(`solc ${actual} installed, ${SOLC_VERSION} pinned`);
  }
  const sources = {};
  for (const f of readdirSync(join(ROOT, 'src')).filter((n) => n.endsWith('.sol')).sort()) {
    // line endings normalised so a checkout with CRLF gives the same metadata hash
    sources[`src/${f}`] = { content: readFileSync(join(ROOT, 'src', f), 'utf8').replace(/\r\n/g, '\n') };
  }
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  for (const e of output.errors ?? []) console.error(e.formattedMessage);
  if (errors.length > 0) throw new Error(`${errors.length} compilation error(s)`);
  const artifacts = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts)) {
    for (const [contractName, c] of Object.entries(contracts)) {
      artifacts[contractName] = {
        contractName,
        sourceName,
        compiler: { solc: actual, settings: { evmVersion: SETTINGS.evmVersion, optimizer: SETTINGS.optimizer } },
        abi: c.abi,
        bytecode: '0x' + c.evm.bytecode.object,
        deployedBytecode: '0x' + c.evm.deployedBytecode.object,
      };
    }
  }
  return artifacts;
}

export function serialise(artifact) {
  return JSON.stringify(artifact, null, 2) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const artifacts = compile();
  const dir = join(ROOT, 'artifacts');
  mkdirSync(dir, { recursive: true });
  let stale = 0;
  for (const [name, a] of Object.entries(artifacts)) {
    const file = join(dir, `${name}.json`);
    if (check) {
      let committed = '';
      try { committed = readFileSync(file, 'utf8'); } catch { /* missing */ }
      if (committed !== serialise(a)) { console.error(`stale: artifacts/${name}.json`); stale++; }
    } else {
      writeFileSync(file, serialise(a));
      console.log(`wrote artifacts/${name}.json (${(a.deployedBytecode.length - 2) / 2} bytes deployed)`);
    }
  }
  if (stale > 0) { console.error('run: npm run compile'); process.exit(1); }
}
