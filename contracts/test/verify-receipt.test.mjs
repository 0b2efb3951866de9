// scripts/verify-receipt.mjs as the Java integration test runs it: a child process, offline and
// against a JSON-RPC endpoint. Receipts are built here (validators sign as the Java side does, the
// batch is a StandardMerkleTree, the root is anchored on this file's Hardhat chain), and the chain
// is served to the child by Hardhat's JSON-RPC server on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  ROOT, ethers, provider, signer, deploy, validators, canonical, domain, sign, attestationDigest, batchKey, highS,
  rpcServer,
} from './helpers.mjs';

const SCRIPT = join(ROOT, 'scripts', 'verify-receipt.mjs');
const WORK = join(ROOT, 'target', 'verify-receipt');
const EPOCH = 3n;
const THRESHOLD = 2n;
const vs = validators(5);
const members = canonical(vs.map((w) => w.address));
const [honest0, honest1, dissenter, equivocator] = vs; // vs[4]: a member outside the committee
const text = (hex) => `sha256:${hex.slice(2)}`;
const digestOf = (s) => ethers.sha256(ethers.toUtf8Bytes(s));
const OFFLINE_CHECKS = ['format', 'fields', 'domain', 'job-id', 'attestation-digest', 'output-digest', 'validator-set',
  'validator-set-digest', 'epoch', 'committee', 'quorum-range', 'evidence', 'signatures', 'quorum', 'merkle-leaf',
  'merkle-root', 'anchor'];
const CHAIN_CHECKS = ['chain.id', 'chain.code', 'chain.validator-set', 'chain.attestation', 'chain.root',
  'chain.inclusion', 'chain.anchor-tx'];

/** docs/RECEIPTS.md's sample receipt, as the Java code writes it. */
const SAMPLE = JSON.parse(readFileSync(join(ROOT, '..', 'docs', 'RECEIPTS.md'), 'utf8')
  .match(/<!-- sample-receipt:begin -->\s*```json\n([\s\S]*?)```\s*<!-- sample-receipt:end -->/)[1]);

let server, anchor, valid, otherChain, unanchored;
let files = 0;

/** Runs the script with `args` (stdin fed from `input`); resolves to { code, stdout, stderr }. */
function node(args, input) {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [SCRIPT, ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Verifies `receipt` (from a file, or from stdin); resolves to { code, report, stderr }. */
async function verify(receipt, { rpc, stdin = false } = {}) {
  const file = join(WORK, `receipt-${++files}.json`);
  writeFileSync(file, JSON.stringify(receipt, null, 2));
  const rpcArgs = rpc ? ['--rpc', rpc] : [];
  const { code, stdout, stderr } = await node([stdin ? '-' : file, ...rpcArgs], stdin ? JSON.stringify(receipt) : '');
  return { code, report: JSON.parse(stdout), stderr };
}

const failed = (report) => report.checks.filter((c) => !c.ok).map((c) => c.check).sort();
const detail = (report, check) => report.checks.find((c) => c.check === check).detail;

/** A signed, unbatched receipt for one job under `dom`: a committee of four, q = 2, with evidence. */
async function signedReceipt(dom) {
  const output = ethers.toUtf8Bytes('label 7 (p = 0.93)');
  const att = {
    jobId: ethers.id('verify-receipt-job'), modelDigest: digestOf('model'), inputDigest: digestOf('input'),
    outputDigest: ethers.sha256(output), policy: 'TOPK(3)', epoch: EPOCH,
  };
  const vote = async (w, out) => ({
    validator: w.address, outputDigest: text(out), signature: await sign(w, dom, { ...att, outputDigest: out }),
  });
  const signature = async (w) => ({ validator: w.address, signature: await sign(w, dom, att) });
  const [first, second] = [att.outputDigest, digestOf('output C')].sort(); // votes ordered by output digest
  const setDigest = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder()
    .encode(['uint64', 'uint256', 'address[]'], [EPOCH, THRESHOLD, members]));
  return {
    format: 'verdict-receipt/1',
    jobId: att.jobId,
    domain: { ...dom, chainId: Number(dom.chainId) },
    attestation: { ...att, modelDigest: text(att.modelDigest), inputDigest: text(att.inputDigest),
      outputDigest: text(att.outputDigest), epoch: Number(att.epoch) },
    attestationDigest: attestationDigest(dom, att),
    validatorSet: { epoch: Number(EPOCH), threshold: Number(THRESHOLD), members, digest: setDigest },
    committee: canonical([honest0, honest1, dissenter, equivocator].map((w) => w.address)),
    quorum: 2,
    signatures: [await signature(honest0), await signature(honest1)],
    evidence: {
      dissenting: [await vote(dissenter, digestOf('output B'))],
      equivocations: [{
        validator: equivocator.address, votes: [await vote(equivocator, first), await vote(equivocator, second)],
      }],
    },
    output: ethers.encodeBase64(output),
    merkle: null,
    anchor: null,
  };
}

/**
 * The receipt sealed as value 2 of a five-value batch, its root anchored now, or — when `claimed`
 * gives a transaction — an anchor section that only claims it was.
 */
async function batched(receipt, batchId, claimed) {
  const values = [0, 1, 2, 3, 4].map((i) => [i === 2 ? receipt.attestationDigest : ethers.id(`other-${batchId}-${i}`)]);
  const tree = StandardMerkleTree.of(values, ['bytes32']);
  const tx = claimed ?? await (await anchor.anchor(batchKey(batchId), tree.root, values.length)).wait();
  return {
    ...receipt,
    merkle: { batchId: Number(batchId), leaf: tree.leafHash(values[2]), proof: tree.getProof(2), root: tree.root },
    anchor: { chainId: receipt.domain.chainId, contract: receipt.domain.verifyingContract, batchId: Number(batchId),
      txHash: tx.hash, blockNumber: tx.blockNumber },
  };
}

before(async () => {
  mkdirSync(WORK, { recursive: true });
  const owner = await signer(0);
  // the chain's first deployment: the sample receipt's verifyingContract
  ({ contract: anchor } = await deploy('VerdictAnchor', owner, owner.address));
  const sampleSet = SAMPLE.validatorSet;
  await (await anchor.registerValidatorSet(sampleSet.epoch, sampleSet.members, sampleSet.threshold)).wait();
  await (await anchor.registerValidatorSet(EPOCH, members, THRESHOLD)).wait();
  await (await anchor.setAnchorer(owner.address, true)).wait();
  const dom = domain((await provider.getNetwork()).chainId, await anchor.getAddress());
  valid = await batched(await signedReceipt(dom), 5n);
  const batch5 = { hash: valid.anchor.txHash, blockNumber: valid.anchor.blockNumber };
  // consistent offline, but batch 6 never reached the chain (its anchor names batch 5's transaction)
  unanchored = await batched(await signedReceipt(dom), 6n, batch5);
  // signed for, and claiming an anchor on, chain 1
  otherChain = await batched(await signedReceipt(domain(1n, dom.verifyingContract)), 5n, batch5);
  server = await rpcServer();
});

after(async () => {
  await server?.close();
});

test('a valid anchored receipt passes offline and on chain, every check listed', async () => {
  const offline = await verify(valid);
  assert.equal(offline.code, 0, JSON.stringify(offline.report));
  assert.equal(offline.report.ok, true);
  assert.deepEqual(offline.report.checks.map((c) => c.check), OFFLINE_CHECKS);
  assert.equal(detail(offline.report, 'evidence'), '1 dissenting, 1 equivocating');

  const online = await verify(valid, { rpc: server.url });
  assert.equal(online.code, 0, JSON.stringify(online.report));
  assert.equal(online.report.ok, true);
  assert.deepEqual(online.report.checks.map((c) => c.check), [...OFFLINE_CHECKS, ...CHAIN_CHECKS]);
  assert.match(detail(online.report, 'chain.attestation'), /2 distinct members of epoch 3 signed, threshold 2/);

  const fromStdin = await verify(valid, { stdin: true });
  assert.equal(fromStdin.code, 0);
  assert.deepEqual(fromStdin.report, offline.report);
});

test('the sample receipt of docs/RECEIPTS.md passes offline; on chain it is not anchored', async () => {
  const offline = await verify(SAMPLE);
  assert.equal(offline.code, 0, JSON.stringify(offline.report));
  assert.equal(detail(offline.report, 'anchor'), 'not anchored (anchor is null)');
  assert.equal(SAMPLE.domain.verifyingContract, await anchor.getAddress());
  const online = await verify(SAMPLE, { rpc: server.url });
  assert.equal(online.code, 1);
  assert.deepEqual(failed(online.report), ['chain.anchor-tx', 'chain.inclusion', 'chain.root']);
  assert.match(detail(online.report, 'chain.root'), /not anchored/);
});

const flipByte = (hex, index) => {
  const b = ethers.getBytes(hex);
  b[index] ^= 0x01;
  return ethers.hexlify(b);
};

// [name, change, checks failing offline, further checks failing on chain, pattern of the signatures detail]
const TAMPERS = [
  ['changed output bytes', (r) => { r.output = ethers.encodeBase64(ethers.toUtf8Bytes('label 3 (p = 0.93)')); },
    ['output-digest'], []],
  ['changed outputDigest', (r) => { r.attestation.outputDigest = text(digestOf('output D')); },
    ['attestation-digest', 'merkle-leaf', 'merkle-root', 'output-digest', 'quorum', 'signatures'],
    ['chain.attestation', 'chain.inclusion']],
  ['changed modelDigest', (r) => { r.attestation.modelDigest = text(digestOf('another model')); },
    ['attestation-digest', 'evidence', 'merkle-leaf', 'merkle-root', 'quorum', 'signatures'],
    ['chain.attestation', 'chain.inclusion']],
  ['changed signature byte', (r) => { r.signatures[1].signature = flipByte(r.signatures[1].signature, 5); },
    ['quorum', 'signatures'], ['chain.attestation']],
  ['high-s signature (the malleated twin of a valid one)',
    (r) => { r.signatures[0].signature = highS(r.signatures[0].signature); },
    ['quorum', 'signatures'], ['chain.attestation'], /signatures\[0\] SIGNATURE_INVALID: .*s zero or high/],
  ['signature with v = 1', (r) => { r.signatures[0].signature = `${r.signatures[0].signature.slice(0, -2)}01`; },
    ['quorum', 'signatures'], ['chain.attestation'], /signatures\[0\] SIGNATURE_INVALID: .*v = 1, must be 27 or 28/],
  ['a proof node changed', (r) => { r.merkle.proof[1] = flipByte(r.merkle.proof[1], 31); },
    ['merkle-root'], ['chain.inclusion']],
  ['merkle.root changed', (r) => { r.merkle.root = flipByte(r.merkle.root, 0); },
    ['merkle-root'], ['chain.anchor-tx', 'chain.root']],
  ['anchor names another chain', (r) => { r.anchor.chainId = 1; },
    ['anchor'], ['chain.id']],
];

for (const [name, change, offlineChecks, chainChecks, signatures] of TAMPERS) {
  test(`rejected offline and on chain: ${name}`, async () => {
    const receipt = structuredClone(valid);
    change(receipt);
    const [offline, online] = await Promise.all([verify(receipt), verify(receipt, { rpc: server.url })]);
    assert.equal(offline.code, 1, JSON.stringify(offline.report));
    assert.equal(offline.report.ok, false);
    assert.deepEqual(failed(offline.report), offlineChecks);
    if (signatures) assert.match(detail(offline.report, 'signatures'), signatures);
    assert.equal(online.code, 1, JSON.stringify(online.report));
    assert.deepEqual(failed(online.report), [...offlineChecks, ...chainChecks].sort());
  });
}

test('a batch that was never anchored: consistent offline, rejected on chain', async () => {
  const offline = await verify(unanchored);
  assert.equal(offline.code, 0, JSON.stringify(offline.report));
  const online = await verify(unanchored, { rpc: server.url });
  assert.equal(online.code, 1);
  assert.deepEqual(failed(online.report), ['chain.anchor-tx', 'chain.inclusion', 'chain.root']);
  assert.match(detail(online.report, 'chain.root'), /batch not anchored/);
});

test('a receipt for another chain: consistent offline, wrong chain on chain', async () => {
  const offline = await verify(otherChain);
  assert.equal(offline.code, 0, JSON.stringify(offline.report));
  const online = await verify(otherChain, { rpc: server.url });
  assert.equal(online.code, 1);
  assert.ok(failed(online.report).includes('chain.id'), failed(online.report).join());
  assert.equal(detail(online.report, 'chain.id'), 'RPC chain 31337, receipt anchor chain 1');
});

test('an unreachable RPC endpoint, a bad command line or a missing file exits 2', async () => {
  const closed = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  const down = await verify(valid, { rpc: `http://127.0.0.1:${closed}` });
  assert.equal(down.code, 2);
  assert.equal(down.report.ok, false);
  assert.equal(down.report.checks.at(-1).check, 'input');
  assert.match(down.report.checks.at(-1).detail, /RPC unreachable/);
  assert.match(down.stderr, /RPC unreachable/);

  const usage = await node(['--rpc']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: node scripts\/verify-receipt\.mjs/);
  const missing = await node([join(WORK, 'no-such-receipt.json')]);
  assert.equal(missing.code, 2);
  assert.match(JSON.parse(missing.stdout).checks[0].detail, /cannot read/);
});
