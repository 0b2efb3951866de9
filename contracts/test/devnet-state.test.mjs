// scripts/devnet.mjs --state: the chain survives a restart. The devnet runs as a child process (as
// scripts/devnet and the Java Devnet run it); transactions are sent over JSON-RPC with ethers, and
// each restart must bring back every transaction in its block with its status, and the contract's
// state. A torn last line (a crash while writing) is tolerated; any other defect is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'scripts', 'devnet.mjs');
const WORK = join(ROOT, 'target', 'devnet-state-test');
const STATE = join(WORK, 'chain.jsonl');
const ABI = JSON.parse(readFileSync(join(ROOT, 'artifacts', 'VerdictAnchor.json'), 'utf8')).abi;
const BLOCK_TIME_MS = 100;

const running = new Set();
let runs = 0;

/** Starts the devnet on `state`; resolves to { child, info, log() } once ready, or { code, log() } if it exits. */
function start(state) {
  const n = ++runs;
  const out = join(WORK, `devnet-${n}.json`);
  const child = spawn(process.execPath, [SCRIPT, '--port', '0', '--block-time', String(BLOCK_TIME_MS),
    '--home', join(ROOT, 'target', 'hardhat-home'), '--out', out, '--state', state], { cwd: ROOT });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  running.add(child);
  exited.then(() => running.delete(child));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = setInterval(() => {
      if (output.includes('devnet ready ') && existsSync(out)) {
        clearInterval(poll);
        resolve({ child, exited, info: JSON.parse(readFileSync(out, 'utf8')), log: () => output });
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        resolve({ code: child.exitCode, log: () => output });
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`devnet not ready within 60 s:\n${output}`));
      }
    }, 50);
  });
}

async function stop(devnet, signal = 'SIGTERM') {
  devnet.child.kill(signal);
  return devnet.exited;
}

function connect(devnet) {
  const provider = new ethers.JsonRpcProvider(devnet.info.rpcUrl, undefined,
    { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
  const wallet = new ethers.Wallet(devnet.info.anchorerKey, provider);
  return { provider, wallet, anchor: new ethers.Contract(devnet.info.contract, ABI, wallet) };
}

async function waitForBlock(provider, n) {
  while (await provider.getBlockNumber() < n) await new Promise((r) => setTimeout(r, 20));
}

/** What a restart must preserve for each transaction. */
async function receipts(provider, hashes) {
  const all = [];
  for (const h of hashes) {
    const r = await provider.getTransactionReceipt(h);
    assert.ok(r, `receipt of ${h}`);
    all.push({ hash: h, block: r.blockNumber, index: r.index, status: r.status });
  }
  return all;
}

const records = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
const batch = (n) => ethers.toBeHex(n, 32);
const root = (s) => ethers.id(s);
const members = [1, 2, 3].map((i) => new ethers.Wallet(ethers.id(`devnet-state-${i}`)).address)
  .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

before(() => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
});

after(() => {
  for (const child of running) child.kill('SIGKILL');
});

test('a restart replays every transaction in its block with its status, and recording continues', async () => {
  const first = await start(STATE);
  assert.ok(first.info, first.log());
  const { provider, wallet, anchor } = connect(first);
  const contract = first.info.contract;
  const hashes = [];
  let nonce = await provider.getTransactionCount(wallet.address, 'pending');

  // EIP-1559 (ethers' default), legacy (as web3j sends) and EIP-2930 transactions
  hashes.push((await (await anchor.anchor(batch(1), root('one'), 3, { nonce: nonce++ })).wait()).hash);
  hashes.push((await (await anchor.registerValidatorSet(7, members, 2, { nonce: nonce++ })).wait()).hash);
  hashes.push((await (await anchor.anchor(batch(2), root('two'), 5, { nonce: nonce++, type: 0 })).wait()).hash);
  const transfer = await wallet.sendTransaction({ to: members[0], value: 1n, type: 1, nonce: nonce++ });
  hashes.push((await transfer.wait()).hash);
  // two transactions in one block, as when a client turns automine (and interval mining) off
  await provider.send('evm_setIntervalMining', [0]);
  await provider.send('evm_setAutomine', [false]);
  const pair = [await anchor.anchor(batch(5), root('five'), 1, { nonce: nonce++, gasLimit: 200_000 }),
    await wallet.sendTransaction({ to: members[1], value: 2n, nonce: nonce++, gasLimit: 21_000 })];
  await provider.send('evm_mine', []);
  await provider.send('evm_setAutomine', [true]);
  await provider.send('evm_setIntervalMining', [BLOCK_TIME_MS]);
  const [r1, r2] = [await pair[0].wait(), await pair[1].wait()];
  assert.equal(r1.blockNumber, r2.blockNumber);
  hashes.push(r1.hash, r2.hash);
  // a different root for batch 1 reverts; Hardhat mines it with status 0
  const reverting = await wallet.signTransaction(await wallet.populateTransaction({
    to: contract, data: anchor.interface.encodeFunctionData('anchor', [batch(1), root('other'), 3]),
    gasLimit: 200_000, nonce: nonce++, chainId: 31337n,
  }));
  await assert.rejects(provider.broadcastTransaction(reverting));
  hashes.push(ethers.keccak256(reverting));
  const before1 = await receipts(provider, hashes);
  assert.equal(before1.at(-1).status, 0);
  const batch1 = await anchor.batchOf(batch(1));
  const digest = await anchor.validatorSetDigest(7);
  const balance = await provider.getBalance(wallet.address);
  // what could not be replayed is refused while recording
  await assert.rejects(provider.send('hardhat_setBalance', [members[0], '0x1']),
    /not available on a devnet that records/);

  const head = (await provider.getBlockNumber()) + 3;
  await waitForBlock(provider, head);
  provider.destroy();
  assert.equal(await stop(first), 0);
  const file = records(STATE);
  assert.equal(file[0].format, 'verdict-devnet-state/1');
  assert.ok(file.at(-1).head >= head, JSON.stringify(file.at(-1)));
  assert.equal(file.filter((r) => r.raw).length, 2 + hashes.length); // deployment, setAnchorer, ours

  const second = await start(STATE);
  assert.ok(second.info, second.log());
  assert.match(second.log(), new RegExp(`replayed ${2 + hashes.length} transactions`));
  assert.equal(second.info.contract, contract);
  const c2 = connect(second);
  assert.deepEqual(await receipts(c2.provider, hashes), before1);
  assert.deepEqual(await c2.anchor.batchOf(batch(1)), batch1);
  assert.equal(await c2.anchor.validatorSetDigest(7), digest);
  assert.equal(await c2.provider.getBalance(wallet.address), balance); // same gas, same base fees
  assert.ok(await c2.provider.getBlockNumber() >= head, 'block numbers never go back');

  // recording continues on the restarted chain, and survives a crash (no head record)
  const third = (await (await c2.anchor.anchor(batch(3), root('three'), 1)).wait()).hash;
  const before3 = await receipts(c2.provider, [...hashes, third]);
  c2.provider.destroy();
  await stop(second, 'SIGKILL');

  const again = await start(STATE);
  assert.ok(again.info, again.log());
  const c3 = connect(again);
  assert.deepEqual(await receipts(c3.provider, [...hashes, third]), before3);
  assert.equal((await c3.anchor.batchOf(batch(3)))[0], root('three'));
  c3.provider.destroy();
  assert.equal(await stop(again), 0);
});

test('an incomplete last line is dropped with a warning and cut off before recording goes on', async () => {
  const state = join(WORK, 'torn.jsonl');
  copyFileSync(STATE, state);
  const lines = readFileSync(state, 'utf8').split('\n').length - 1;
  appendFileSync(state, '{"block":9999,"index":0,"hash":"0x12');

  const devnet = await start(state);
  assert.ok(devnet.info, devnet.log());
  assert.ok(devnet.log().includes(`${state} line ${lines + 1} is incomplete`), devnet.log());
  const { provider, anchor } = connect(devnet);
  const hash = (await (await anchor.anchor(batch(4), root('four'), 1)).wait()).hash;
  provider.destroy();
  assert.equal(await stop(devnet), 0);

  const file = records(state); // every line parses: the fragment is gone
  assert.ok(file.some((r) => r.hash === hash));
  assert.ok(!file.some((r) => r.block === 9999));
});

test('a defect before the last line is refused, naming the file and the line', async () => {
  const good = readFileSync(STATE, 'utf8').split('\n');
  const edit = (change) => (l) => { const r = JSON.parse(l[3]); change(r); l[3] = JSON.stringify(r); };
  const cases = [
    ['not JSON', (l) => { l[3] = '{"block":'; }, /not a JSON object/],
    ['altered bytes', edit((r) => { r.raw = r.raw.slice(0, -2) + '00'; }), /keccak256\(raw\) is not/],
    ['out of order', edit((r) => { r.block = 1; }), /does not follow the record before it/],
    // passes the static checks, but the next transaction's nonce is then too high for its block
    ['a lost line', (l) => { l.splice(3, 1); }, /block \d+ replayed as \[\], recorded as \[0x/],
  ];
  for (const [name, damage, reason] of cases) {
    const state = join(WORK, `corrupt-${name.replaceAll(' ', '-')}.jsonl`);
    const lines = [...good];
    damage(lines);
    writeFileSync(state, lines.join('\n'));
    const before = readFileSync(state);

    const devnet = await start(state);
    assert.equal(devnet.code, 1, `${name}: ${devnet.log()}`);
    assert.ok(devnet.log().includes(`${state} line 4: `), `${name}: ${devnet.log()}`);
    assert.match(devnet.log(), reason, name);
    assert.match(devnet.log(), /Refusing to start/, name);
    assert.deepEqual(readFileSync(state), before, `${name}: the file is left as it was`);
  }
});
