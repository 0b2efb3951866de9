// A local development chain: Hardhat's JSON-RPC node (the pinned hardhat of package.json, chain id
// 31337, hardfork cancun as in hardhat.config.cjs) on loopback, with VerdictAnchor deployed.
//
//   node scripts/devnet.mjs --out FILE [--port N] [--block-time MS] [--home DIR] [--state FILE]
//                           [--exit-on-stdin-close] [--rpc-log]
//
// --port N        TCP port on 127.0.0.1 (default 8545; 0 = any free port, the bound one is reported)
// --block-time MS interval mining period in ms (default 1000; 0 = automine only). Automine stays
//                 on, so every transaction is mined at once; empty blocks keep confirmations moving.
// --home DIR      where Hardhat keeps its config/cache folders (default target/hardhat-home)
// --out FILE      written atomically once the contract is deployed:
//                 { rpcUrl, chainId, contract, ownerKey, anchorerKey, pid }
// --state FILE    keep the chain across restarts: every mined transaction is appended to FILE (JSON
//                 lines), and a start with a non-empty FILE replays them instead of deploying
//                 (see "State file" below)
// --exit-on-stdin-close  stop when stdin reaches end of file (a parent that dies takes us along)
// --rpc-log       log every JSON-RPC call (Hardhat's own logger)
//
// Account #0 of Hardhat's default (publicly known) mnemonic deploys the contract, owns it and is
// its authorised anchorer; its key is written to FILE. Development only: never reuse these keys.
// Prints "devnet ready <rpcUrl> <contract>" on stdout, runs until SIGTERM/SIGINT, then exits 0.
//
// State file. Hardhat 2 cannot dump its state, so the history is kept instead, one JSON object per
// line, appended and fdatasync'd one record at a time:
//   {"format":"verdict-devnet-state/1","chainId":31337}                        first line
//   {"block":N,"index":I,"hash":H,"status":S,"baseFee":F,"raw":R[,"contract":A]}  a mined transaction
//   {"head":N}                                                                  written at a clean stop
// A transaction record holds the signed bytes R (re-serialised from the block with ethers; their
// keccak256 must be H), its block N and index I in it, its receipt status S (reverted ones are
// kept and replay as reverted), the block's base fee F and, for a creation, the created address.
// Every block that holds transactions is recorded in full before the JSON-RPC server answers the
// request that mined it, and by a poll every second (blocks mined by the interval timer). A start
// with records replays them in order with automine and interval mining off: hardhat_mine up to
// N - 1, the base fee set to F, the raw transactions sent, evm_mine; each must land with the same
// hash, block, index, status (and created address). Then empty blocks up to the last head, so block
// numbers never go back. Block timestamps (hence block hashes) differ. The first recorded creation
// is the contract; it must have been created from the current artifacts/VerdictAnchor.json.
// A last line without its newline (cut short by a crash) is dropped with a warning; any other
// defect stops the start with the file and line named. Methods whose effect is not a transaction
// (hardhat_setStorageAt, evm_revert, impersonation, ...) are refused while recording.
import {
  closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync,
  writeFileSync, writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const STATE_FORMAT = 'verdict-devnet-state/1';
const RECORD_POLL_MS = 1000;
const STOP_FLUSH_TIMEOUT_MS = 3000;

function usage(problem) {
  console.error(`devnet: ${problem}`);
  console.error('usage: node scripts/devnet.mjs --out FILE [--port N] [--block-time MS] [--home DIR]'
    + ' [--state FILE] [--exit-on-stdin-close] [--rpc-log]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    port: 8545,
    blockTime: 1000,
    home: join(ROOT, 'target', 'hardhat-home'),
    out: null,
    state: null,
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
      case '--state': opts.state = argv[++i] ?? usage('--state needs a file'); break;
      case '--exit-on-stdin-close': opts.exitOnStdinClose = true; break;
      case '--rpc-log': opts.rpcLog = true; break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (opts.out === null) usage('--out is required');
  if (opts.port > 65535) usage('--port must be at most 65535');
  return opts;
}

/** A defect of the state file; the message names the file and the line. */
class StateFileError extends Error {}

const HASH = /^0x[0-9a-f]{64}$/;
const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/;
const RAW = /^0x([0-9a-f]{2})+$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const isBlock = (n) => Number.isSafeInteger(n) && n >= 0;

/**
 * Reads and checks a state file. Returns { header, records, keep, torn }: the records after the
 * header (each with its line number), the byte length of the complete lines, and the number of an
 * incomplete last line (null if none). A missing file is an empty one.
 */
function readState(file, keccak256) {
  const result = { header: null, records: [], keep: 0, torn: null };
  if (!existsSync(file)) return result;
  const bytes = readFileSync(file);
  const fail = (line, problem) => { throw new StateFileError(`${file} line ${line}: ${problem}`); };
  let last = null; // the last record: { block, index } of a transaction, or { head }
  let floor = 0; // the chain reached this block before the next record (last tx block or head)
  let offset = 0;
  for (let line = 1; offset < bytes.length; line++) {
    const end = bytes.indexOf(0x0a, offset);
    if (end < 0) {
      result.torn = line;
      break;
    }
    const text = bytes.toString('utf8', offset, end);
    offset = end + 1;
    let r;
    try {
      r = JSON.parse(text);
    } catch {
      fail(line, 'not a JSON object');
    }
    if (r === null || typeof r !== 'object' || Array.isArray(r)) fail(line, 'not a JSON object');
    if (line === 1) {
      if (r.format !== STATE_FORMAT) fail(line, `not a devnet state file (format is not "${STATE_FORMAT}")`);
      if (!isBlock(r.chainId)) fail(line, 'chainId must be a non-negative integer');
      result.header = r;
    } else if ('head' in r) {
      if (!isBlock(r.head) || Object.keys(r).length !== 1) fail(line, 'a head record is {"head": N}');
      if (r.head < floor) fail(line, `head ${r.head} is below block ${floor} of an earlier record`);
      floor = r.head;
      last = { head: r.head };
      result.records.push({ line, head: r.head });
    } else {
      const keys = Object.keys(r).sort().join(',');
      if (keys !== 'baseFee,block,hash,index,raw,status' && keys !== 'baseFee,block,contract,hash,index,raw,status') {
        fail(line, 'a transaction record has block, index, hash, status, baseFee, raw and optionally contract;'
          + ` found ${keys}`);
      }
      if (!isBlock(r.block) || r.block < 1) fail(line, 'block must be a positive integer');
      if (!isBlock(r.index)) fail(line, 'index must be a non-negative integer');
      if (typeof r.hash !== 'string' || !HASH.test(r.hash)) fail(line, 'hash must be 0x + 64 lowercase hex digits');
      if (r.status !== 0 && r.status !== 1) fail(line, 'status must be 0 or 1');
      if (typeof r.baseFee !== 'string' || !QUANTITY.test(r.baseFee)) fail(line, 'baseFee must be a hex quantity');
      if (typeof r.raw !== 'string' || !RAW.test(r.raw)) fail(line, 'raw must be 0x + lowercase hex bytes');
      if ('contract' in r && (typeof r.contract !== 'string' || !ADDRESS.test(r.contract))) {
        fail(line, 'contract must be an address');
      }
      if (keccak256(r.raw) !== r.hash) fail(line, `keccak256(raw) is not ${r.hash}`);
      const sameBlock = last?.block === r.block;
      if (sameBlock ? r.index !== last.index + 1 : r.block <= floor || r.index !== 0) {
        fail(line, `transaction ${r.block}/${r.index} (block/index) does not follow the record before it`
          + ` (${last === null ? 'none' : last.head === undefined ? `transaction ${last.block}/${last.index}`
            : `head ${last.head}`})`);
      }
      last = { block: r.block, index: r.index };
      floor = r.block;
      result.records.push({ line, tx: r });
    }
    result.keep = offset;
  }
  return result;
}

const opts = parseArgs(process.argv.slice(2));

// Until the recorder runs there is nothing to flush (the chain lives in memory and dies with us),
// and waiting for kept-alive client connections to close would only delay the exit: leave at once,
// also during start-up. With a state file, stopping first records what is left (see Recorder.close).
let beforeExit = null;
let stopping = false;
function stop(reason) {
  console.error(`devnet: ${reason}, stopping`);
  if (beforeExit === null) process.exit(0);
  if (stopping) return; // e.g. SIGTERM, then stdin closed by the same parent
  stopping = true;
  setTimeout(() => {
    console.error('devnet: the state file could not be brought up to date in time');
    process.exit(0);
  }, STOP_FLUSH_TIMEOUT_MS).unref();
  beforeExit().then(() => process.exit(0), (e) => {
    console.error(`devnet: ${e.message}`);
    process.exit(0);
  });
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (opts.exitOnStdinClose) {
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
}

const { ethers } = await import('ethers');

// Read the state before Hardhat starts: a defective file is refused at once, and the genesis is
// dated so that replaying its blocks (1 s apart) ends near the wall clock.
const stateFile = opts.state === null ? null : resolve(opts.state);
let state = null;
if (stateFile !== null) {
  try {
    state = readState(stateFile, ethers.keccak256);
  } catch (e) {
    if (!(e instanceof StateFileError)) throw e;
    console.error(`devnet: cannot use the state file: ${e.message}. Refusing to start; repair the file,`
      + ' move it away or start fresh without it.');
    process.exit(1);
  }
  if (state.torn !== null) {
    console.error(`devnet: ${stateFile} line ${state.torn} is incomplete (cut short by a crash?);`
      + ' ignoring it');
  }
}
const replayTo = state === null ? 0 : state.records.reduce((m, r) => Math.max(m, r.head ?? r.tx.block), 0);

// Hardhat keeps config/cache folders under the home folder: keep them where we are told.
const home = resolve(opts.home);
mkdirSync(home, { recursive: true });
for (const v of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME']) process.env[v] = home;
process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = 'true';
process.env.HARDHAT_CONFIG = join(ROOT, 'hardhat.config.cjs');
process.env.HARDHAT_NETWORK = 'hardhat';

const hre = (await import('hardhat')).default;
const { TASK_NODE_CREATE_SERVER } = require('hardhat/builtin-tasks/task-names');
const { ProviderError } = require('hardhat/internal/core/providers/errors');
if (replayTo > 0) {
  // read when the provider is created, on its first request below
  hre.config.networks.hardhat.initialDate = new Date(Date.now() - replayTo * 1000).toISOString();
}

const provider = hre.network.provider;
const rpc = (method, params = []) => provider.request({ method, params });
const hex = (n) => ethers.toQuantity(n);
await rpc('hardhat_setLoggingEnabled', [opts.rpcLog]);

// Account #0's key, derived from the configured mnemonic (Hardhat's default, publicly known).
const accounts = hre.config.networks.hardhat.accounts;
if (Array.isArray(accounts) || !accounts.mnemonic) {
  throw new Error('devnet expects the hardhat network to use a mnemonic (hardhat.config.cjs)');
}
const wallet0 = ethers.HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase ?? '',
  `${accounts.path}/${accounts.initialIndex ?? 0}`);
const [account0] = await rpc('eth_accounts');
if (account0.toLowerCase() !== wallet0.address.toLowerCase()) {
  throw new Error(`derived account ${wallet0.address} is not the node's account #0 ${account0}`);
}
const chainId = Number(await rpc('eth_chainId'));
const artifact = JSON.parse(readFileSync(join(ROOT, 'artifacts', 'VerdictAnchor.json'), 'utf8'));

/** The signed bytes of a transaction as eth_getBlockByNumber returns it (Hardhat has no raw getter). */
function rawTransaction(t) {
  const type = Number(t.type);
  const fields = {
    type,
    nonce: Number(t.nonce),
    to: t.to,
    data: t.input,
    value: BigInt(t.value),
    gasLimit: BigInt(t.gas),
  };
  if (t.chainId != null) fields.chainId = BigInt(t.chainId);
  if (type === 0 || type === 1) fields.gasPrice = BigInt(t.gasPrice);
  if (type === 2) {
    fields.maxFeePerGas = BigInt(t.maxFeePerGas);
    fields.maxPriorityFeePerGas = BigInt(t.maxPriorityFeePerGas);
  }
  if (type !== 0) fields.accessList = t.accessList;
  if (type > 2) throw new Error(`transaction ${t.hash} has type ${type}, which the devnet cannot record`);
  fields.signature = type === 0
    ? { r: t.r, s: t.s, v: BigInt(t.v) } // legacy: v carries the chain id (EIP-155)
    : { r: t.r, s: t.s, yParity: Number(t.yParity ?? t.v) };
  const raw = ethers.Transaction.from(fields).serialized;
  if (ethers.keccak256(raw) !== t.hash) {
    throw new Error(`transaction ${t.hash} re-serialises to bytes with another hash`);
  }
  return raw;
}

/**
 * Replays the recorded history (automine and interval mining off): every transaction in its own
 * block number, with that block's base fee, then empty blocks up to the last recorded head.
 */
async function replay(records) {
  const fail = (line, problem) => { throw new StateFileError(`${stateFile} line ${line}: ${problem}`); };
  const started = Date.now();
  let transactions = 0;
  await rpc('evm_setAutomine', [false]);
  for (let i = 0; i < records.length;) {
    if (records[i].head !== undefined) {
      const current = Number(await rpc('eth_blockNumber'));
      if (records[i].head > current) await rpc('hardhat_mine', [hex(records[i].head - current)]);
      i++;
      continue;
    }
    const block = records[i].tx.block;
    const group = [];
    for (; i < records.length && records[i].tx?.block === block; i++) group.push(records[i]);
    const current = Number(await rpc('eth_blockNumber'));
    if (block <= current) fail(group[0].line, `block ${block} is not after the replayed chain's block ${current}`);
    if (block - 1 > current) await rpc('hardhat_mine', [hex(block - 1 - current)]);
    await rpc('hardhat_setNextBlockBaseFeePerGas', [group[0].tx.baseFee]);
    for (const { line, tx } of group) {
      try {
        await rpc('eth_sendRawTransaction', [tx.raw]);
      } catch (e) {
        fail(line, `the node refused transaction ${tx.hash}: ${e.message}`);
      }
    }
    await rpc('evm_mine');
    const mined = await rpc('eth_getBlockByNumber', [hex(block), false]);
    const expected = group.map((r) => r.tx.hash);
    if (mined === null || mined.transactions.join() !== expected.join()) {
      fail(group[0].line, `block ${block} replayed as [${mined?.transactions.join(', ')}], recorded as`
        + ` [${expected.join(', ')}]`);
    }
    for (const { line, tx } of group) {
      const receipt = await rpc('eth_getTransactionReceipt', [tx.hash]);
      if (Number(receipt.status) !== tx.status) {
        fail(line, `transaction ${tx.hash} replayed with status ${Number(receipt.status)}, recorded ${tx.status}`);
      }
      if ((receipt.contractAddress ?? null)?.toLowerCase() !== (tx.contract ?? null)?.toLowerCase()) {
        fail(line, `transaction ${tx.hash} created ${receipt.contractAddress}, recorded ${tx.contract ?? 'none'}`);
      }
    }
    transactions += group.length;
  }
  await rpc('evm_setAutomine', [true]);
  const head = Number(await rpc('eth_blockNumber'));
  console.error(`devnet: replayed ${transactions} transactions up to block ${head} from ${stateFile}`
    + ` in ${Date.now() - started} ms`);
}

/**
 * Appends every transaction mined after block `scanned` to the state file, one fdatasync'd line
 * each. Catch-ups run one at a time, in the order they were asked for.
 */
class Recorder {
  constructor(fd, scanned) {
    this.fd = fd;
    this.scanned = scanned;
    this.queue = Promise.resolve();
    this.closed = false;
  }

  append(record) {
    const line = Buffer.from(JSON.stringify(record) + '\n');
    for (let done = 0; done < line.length;) done += writeSync(this.fd, line, done);
    fdatasyncSync(this.fd);
  }

  async catchUp() {
    const head = Number(await rpc('eth_blockNumber'));
    for (let n = this.scanned + 1; n <= head; n++) {
      const block = await rpc('eth_getBlockByNumber', [hex(n), true]);
      for (const t of block.transactions) {
        const receipt = await rpc('eth_getTransactionReceipt', [t.hash]);
        const record = {
          block: n,
          index: Number(t.transactionIndex),
          hash: t.hash,
          status: Number(receipt.status),
          baseFee: block.baseFeePerGas,
          raw: rawTransaction(t),
        };
        if (receipt.contractAddress) record.contract = ethers.getAddress(receipt.contractAddress);
        this.append(record);
      }
      this.scanned = n;
    }
  }

  /** Records everything mined so far. A failure stops the devnet: the file must not miss a block. */
  record() {
    if (this.closed) return new Promise(() => {}); // stopping: the process exits before this answers
    this.queue = this.queue.then(() => this.catchUp()).catch((e) => {
      console.error(`devnet: cannot record block ${this.scanned + 1} in ${stateFile}: ${e.message};`
        + ' stopping so that the state file stays a true history');
      process.exit(1);
    });
    return this.queue;
  }

  /** Records the rest and the head reached, so that the next start mines at least as far. */
  async close() {
    await this.record();
    this.closed = true;
    this.append({ head: this.scanned });
    closeSync(this.fd);
  }
}

// Methods that change the chain without a transaction cannot be replayed from the state file.
const NOT_RECORDABLE = new Set(['evm_revert', 'hardhat_reset', 'hardhat_setBalance', 'hardhat_setCode',
  'hardhat_setNonce', 'hardhat_setStorageAt', 'hardhat_impersonateAccount', 'hardhat_setCoinbase',
  'hardhat_setPrevRandao']);
// Methods that never mine: answered without waiting for the recorder.
const READ_ONLY = new RegExp('^(net_|web3_|debug_|hardhat_metadata|hardhat_getAutomine|eth_(get|call|estimateGas'
  + '|blockNumber|chainId|gasPrice|feeHistory|maxPriorityFeePerGas|accounts|syncing|coinbase|mining|hashrate'
  + '|protocolVersion|new|uninstallFilter|subscribe|unsubscribe|sign))');

/** The JSON-RPC server's provider: with a recorder, a request that may mine answers once it is recorded. */
function served(recorder) {
  if (recorder === null) return provider;
  return {
    async request(args) {
      if (NOT_RECORDABLE.has(args.method)) {
        throw new ProviderError(`${args.method} is not available on a devnet that records its state`
          + ' (the change could not be replayed)', -32601);
      }
      if (args.method === 'eth_sendRawTransaction' && /^0x([0-7][0-9a-f])/i.test(args.params?.[0] ?? '')
          && parseInt(args.params[0].slice(2, 4), 16) > 2) {
        throw new ProviderError('eth_sendRawTransaction: only transaction types 0, 1 and 2 can be recorded'
          + ' by this devnet', -32602);
      }
      if (READ_ONLY.test(args.method)) return provider.request(args);
      try {
        return await provider.request(args);
      } finally {
        await recorder.record();
      }
    },
    addListener(event, listener) { provider.addListener(event, listener); return this; },
    removeListener(event, listener) { provider.removeListener(event, listener); return this; },
    on(event, listener) { provider.on(event, listener); return this; },
    off(event, listener) { provider.off(event, listener); return this; },
  };
}

const signer = await new ethers.BrowserProvider(provider, undefined, { cacheTimeout: -1 }).getSigner(0);
let recorder = null;
let contract = null;
try {
  if (state !== null) {
    if (state.header !== null && state.header.chainId !== chainId) {
      throw new StateFileError(`${stateFile} line 1: recorded on chain ${state.header.chainId},`
        + ` this is chain ${chainId}`);
    }
    const creation = state.records.find((r) => r.tx?.contract !== undefined);
    if (creation !== undefined) {
      if (!ethers.Transaction.from(creation.tx.raw).data.startsWith(artifact.bytecode)) {
        throw new StateFileError(`${stateFile} line ${creation.line}: the recorded VerdictAnchor was built from`
          + ' other sources than artifacts/VerdictAnchor.json; start without this state file');
      }
      contract = creation.tx.contract;
    }
    if (state.records.length > 0) await replay(state.records);
  }
} catch (e) {
  if (!(e instanceof StateFileError)) throw e;
  console.error(`devnet: cannot replay the state file: ${e.message}. Refusing to start.`);
  process.exit(1);
}
if (state !== null) {
  mkdirSync(dirname(stateFile), { recursive: true });
  if (existsSync(stateFile)) truncateSync(stateFile, state.keep); // drops an incomplete last line
  recorder = new Recorder(openSync(stateFile, 'a'), Number(await rpc('eth_blockNumber')));
  if (state.header === null) recorder.append({ format: STATE_FORMAT, chainId });
}

// Deploy through the in-process provider, from account #0 (unlocked on the Hardhat network),
// unless the replay created the contract already.
let anchor;
if (contract === null) {
  const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, signer);
  anchor = await factory.deploy(signer.address);
  await anchor.waitForDeployment();
  contract = await anchor.getAddress();
} else {
  if (await rpc('eth_getCode', [contract, 'latest']) === '0x') {
    throw new Error(`the replay left no code at the recorded contract ${contract}`);
  }
  anchor = new ethers.Contract(contract, artifact.abi, signer);
}
// also after a replay, in case the crash came between the deployment and this
if (!(await anchor.isAnchorer(signer.address))) {
  await (await anchor.setAnchorer(signer.address, true)).wait();
}
if (recorder !== null) {
  await recorder.record();
  beforeExit = () => recorder.close();
  setInterval(() => recorder.record(), RECORD_POLL_MS).unref();
}
// Automine is Hardhat's default and stays on; interval mining adds a block every blockTime ms.
if (opts.blockTime > 0) {
  await rpc('evm_setIntervalMining', [opts.blockTime]);
}

const server = await hre.run(TASK_NODE_CREATE_SERVER, {
  hostname: '127.0.0.1',
  port: opts.port,
  provider: served(recorder),
});
const { address, port } = await server.listen();
const rpcUrl = `http://${address}:${port}`;

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
  + ` ${signer.address}, pid ${process.pid}, details in ${out}`
  + (stateFile === null ? '' : `, recording to ${stateFile}`));
