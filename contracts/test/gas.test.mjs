// Gas figures (printed, never asserted): anchor, verifyInclusion for batches of 1, 100 and
// 10,000 attestations, verifyAttestation for r = 3, q = 2. View calls are measured with
// eth_estimateGas, i.e. as if sent in a transaction (21,000 intrinsic + calldata included).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { ethers, provider, signer, deploy, validators, canonical, domain, sign, batchKey } from './helpers.mjs';

let owner, anchor, deployGas;
const rows = [];

before(async () => {
  owner = await signer(0);
  let receipt;
  ({ contract: anchor, receipt } = await deploy('VerdictAnchor', owner, owner.address));
  deployGas = receipt.gasUsed;
  await (await anchor.setAnchorer(owner.address, true)).wait();
});

test('gas: anchor', async () => {
  rows.push(['deploy VerdictAnchor', deployGas]);
  const first = await (await anchor.anchor(batchKey(1), ethers.id('r1'), 100)).wait();
  rows.push(['anchor (new batch)', first.gasUsed]);
  const repeat = await (await anchor.anchor(batchKey(1), ethers.id('r1'), 100)).wait();
  rows.push(['anchor (repeat, no-op)', repeat.gasUsed]);
  assert.ok(first.gasUsed > repeat.gasUsed);
});

test('gas: verifyInclusion for batches of 1, 100, 10000', async () => {
  for (const size of [1, 100, 10_000]) {
    const values = Array.from({ length: size }, (_, i) => [ethers.keccak256(ethers.toBeHex(i + 1, 32))]);
    const tree = StandardMerkleTree.of(values, ['bytes32']);
    const id = batchKey(1000 + size);
    await (await anchor.anchor(id, tree.root, size)).wait();
    const i = Math.floor(size / 2);
    const proof = tree.getProof(i);
    const leaf = tree.leafHash(values[i]);
    assert.equal(await anchor.verifyInclusion(id, leaf, proof), true);
    rows.push([`verifyInclusion, batch ${size} (proof length ${proof.length})`,
      await anchor.verifyInclusion.estimateGas(id, leaf, proof)]);
  }
});

test('gas: verifyAttestation r = 3, q = 2', async () => {
  const vs = validators(3);
  await (await anchor.registerValidatorSet(1, canonical(vs.map((w) => w.address)), 2)).wait();
  const dom = domain((await provider.getNetwork()).chainId, await anchor.getAddress());
  const att = {
    jobId: ethers.id('gas-job'),
    modelDigest: ethers.sha256('0x01'),
    inputDigest: ethers.sha256('0x02'),
    outputDigest: ethers.sha256('0x03'),
    policy: 'EXACT',
    epoch: 1n,
  };
  const sigs = await Promise.all(vs.map((w) => sign(w, dom, att)));
  assert.equal(await anchor.verifyAttestation(att, sigs.slice(0, 2)), true);
  rows.push(['verifyAttestation, 2 of 3 signatures', await anchor.verifyAttestation.estimateGas(att, sigs.slice(0, 2))]);
  rows.push(['verifyAttestation, 3 of 3 signatures', await anchor.verifyAttestation.estimateGas(att, sigs)]);
});

test('print gas table', () => {
  console.log('\n| operation | gas |\n|---|---:|');
  for (const [name, gas] of rows) console.log(`| ${name} | ${gas.toLocaleString('en-US')} |`);
});
