// A local development chain: Hardhat's JSON-RPC node (the pinned hardhat of package.json, chain id
// 31337, hardfork cancun as in hardhat.config.cjs) on loopback, with VerdictAnchor deployed.
//
//   node scripts/devnet.mjs --out FILE [--port N] [--block-time MS] [--home DIR]
//                           [--exit-on-stdin-close] [--rpc-log]
//
// --port N        TCP port on 127.0.0.1 (default 8545; 0 = any free port, the bound one is reported)
// --block-time MS interval mining period in ms (default 1000; 0 = automine only). Automine stays
//                 on, so every transaction is mined at once; empty blocks keep confirmations moving.
// --home DIR      where Hardhat keeps its config/cache folders (default target/hardhat-home)
// --out FILE      written atomically once the contract is deployed:
//                 { rpcUrl, chainId, contract, ownerKey, anchorerKey, pid }
// --exit-on-stdin-close  stop when stdin reaches end of file (a parent that dies takes us along)
// --rpc-log       log every JSON-RPC call (Hardhat's own logger)
//
// Account #0 of Hardhat's default (publicly known) mnemonic deploys the contract, owns it and is
// its authorised anchorer; its key is written to FILE. Development only: never reuse these keys.
// Prints "devnet ready <rpcUrl> <contract>" on stdout, runs until SIGTERM/SIGINT, then exits 0.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function usage(problem) {
  console.error(`devnet: ${problem}`);
  console.error('usage: node scripts/devnet.mjs --out FILE [--port N] [--block-time MS] [--home DIR]'
    + ' [--exit-on-stdin-close] [--rpc-log]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    port: 8545,
    blockTime: 1000,
    home: join(ROOT, 'target', 'hardhat-home'),
    out: null,
    exitOnStdinClose: false,
    rpcLog: false,
  };
  const intArg = (name, value) => {
    if (value === undefined || !/^[0-9]+$/.test(value)) usage(`${name} needs a non-negative integer`);
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--port': opts.port = intArg(a, argv[++i]); break;
      case '--block-time': opts.blockTime = intArg(a, argv[++i]); break;
      case '--home': opts.home = argv[++i] ?? usage('--home needs a directory'); break;
      case '--out': opts.out = argv[++i] ?? usage('--out needs a file'); break;
      case '--exit-on-stdin-close': opts.exitOnStdinClose = true; break;
      case '--rpc-log': opts.rpcLog = true; break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (opts.out === null) usage('--out is required');
  if (opts.port > 65535) usage('--port must be at most 65535');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// Nothing to flush (the chain lives in memory and dies with us), and waiting for kept-alive client
// connections to close would only delay the exit: leave at once, also during start-up.
function stop(reason) {
  console.error(`devnet: ${reason}, stopping`);
  process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (opts.exitOnStdinClose) {
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
}

// Hardhat keeps config/cache folders under the home folder: keep them where we are told.
const home = resolve(opts.home);
mkdirSync(home, { recursive: true });
for (const v of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME']) process.env[v] = home;
process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = 'true';
process.env.HARDHAT_CONFIG = join(ROOT, 'hardhat.config.cjs');
process.env.HARDHAT_NETWORK = 'hardhat';

const hre = (await import('hardhat')).default;
const { TASK_NODE_CREATE_SERVER } = require('hardhat/builtin-tasks/task-names');
const { ethers } = await import('ethers');

const provider = hre.network.provider;
await provider.request({ method: 'hardhat_setLoggingEnabled', params: [opts.rpcLog] });
// Automine is Hardhat's default and stays on; interval mining adds a block every blockTime ms.
if (opts.blockTime > 0) {
  await provider.request({ method: 'evm_setIntervalMining', params: [opts.blockTime] });
}

// Account #0's key, derived from the configured mnemonic (Hardhat's default, publicly known).
const accounts = hre.config.networks.hardhat.accounts;
if (Array.isArray(accounts) || !accounts.mnemonic) {
  throw new Error('devnet expects the hardhat network to use a mnemonic (hardhat.config.cjs)');
}
const wallet0 = ethers.HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase ?? '',
  `${accounts.path}/${accounts.initialIndex ?? 0}`);
const [account0] = await provider.request({ method: 'eth_accounts', params: [] });
if (account0.toLowerCase() !== wallet0.address.toLowerCase()) {
  throw new Error(`derived account ${wallet0.address} is not the node's account #0 ${account0}`);
}

const server = await hre.run(TASK_NODE_CREATE_SERVER, {
  hostname: '127.0.0.1',
  port: opts.port,
  provider,
});
const { address, port } = await server.listen();
const rpcUrl = `http://${address}:${port}`;

// Deploy through the in-process provider, from account #0 (unlocked on the Hardhat network).
const signer = await new ethers.BrowserProvider(provider, undefined, { cacheTimeout: -1 })
  .getSigner(0);
const artifact = JSON.parse(readFileSync(join(ROOT, 'artifacts', 'VerdictAnchor.json'), 'utf8'));
const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, signer);
const anchor = await factory.deploy(signer.address);
await anchor.waitForDeployment();
await (await anchor.setAnchorer(signer.address, true)).wait();
const contract = await anchor.getAddress();
const chainId = Number(await provider.request({ method: 'eth_chainId', params: [] }));

const out = resolve(opts.out);
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, JSON.stringify({
  rpcUrl,
  chainId,
  contract,
  ownerKey: wallet0.privateKey,
  anchorerKey: wallet0.privateKey,
  pid: process.pid,
}, null, 2) + '\n', { mode: 0o600 });
renameSync(tmp, out);

console.log(`devnet ready ${rpcUrl} ${contract}`);
console.error(`devnet: chain ${chainId}, block time ${opts.blockTime} ms, owner and anchorer`
  + ` ${signer.address}, pid ${process.pid}, details in ${out}`);
