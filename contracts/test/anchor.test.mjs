// Anchoring rules and verifyInclusion against @openzeppelin/merkle-tree proofs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { ethers, signer, deploy, revertsWith, events, batchKey } from './helpers.mjs';

let owner, anchorer, stranger, anchor;
const ROOT_A = ethers.id('root-a');
const ROOT_B = ethers.id('root-b');

before(async () => {
  [owner, anchorer, stranger] = await Promise.all([signer(0), signer(1), signer(2)]);
  ({ contract: anchor } = await deploy('VerdictAnchor', owner, owner.address));
});

test('owner manages anchorers; only authorised anchorers anchor', async () => {
  assert.equal(await anchor.owner(), owner.address);
  await revertsWith(anchor.connect(stranger).setAnchorer(stranger.address, true), anchor, 'NotOwner');
  await revertsWith(anchor.connect(anchorer).anchor(batchKey(1), ROOT_A, 3), anchor, 'NotAnchorer');
  const rc = await (await anchor.setAnchorer(anchorer.address, true)).wait();
  const [ev] = events(anchor, rc, 'AnchorerSet');
  assert.equal(ev.args.anchorer, anchorer.address);
  assert.equal(ev.args.authorised, true);
  assert.equal(await anchor.isAnchorer(anchorer.address), true);
  await revertsWith(anchor.connect(stranger).anchor(batchKey(1), ROOT_A, 3), anchor, 'NotAnchorer');
});

test('a batch is anchored once: same root is a no-op, another root reverts', async () => {
  const a = anchor.connect(anchorer);
  assert.equal(await anchor.rootOf(batchKey(1)), ethers.ZeroHash);
  const rc = await (await a.anchor(batchKey(1), ROOT_A, 3)).wait();
  const [ev] = events(anchor, rc, 'Anchored');
  assert.equal(ev.args.batchId, batchKey(1));
  assert.equal(ev.args.root, ROOT_A);
  assert.equal(ev.args.count, 3n);
  assert.equal(ev.args.anchorer, anchorer.address);
  assert.equal(await anchor.rootOf(batchKey(1)), ROOT_A);
  const [root, count, block] = await anchor.batchOf(batchKey(1));
  assert.deepEqual([root, count, block], [ROOT_A, 3n, BigInt(rc.blockNumber)]);

  const again = await (await a.anchor(batchKey(1), ROOT_A, 3)).wait();
  assert.equal(again.status, 1);
  assert.equal(events(anchor, again, 'Anchored').length, 0, 'a repeat emits nothing');
  const [, anchored, offered] = await revertsWith(a.anchor(batchKey(1), ROOT_B, 3), anchor, 'RootMismatch');
  assert.deepEqual([anchored, offered], [ROOT_A, ROOT_B]);
  assert.equal(await anchor.rootOf(batchKey(1)), ROOT_A);

  await revertsWith(a.anchor(batchKey(2), ethers.ZeroHash, 3), anchor, 'EmptyRoot');
  await revertsWith(a.anchor(batchKey(2), ROOT_B, 0), anchor, 'EmptyBatch');
  await (await a.anchor(batchKey(2), ROOT_B, 1)).wait();
  assert.equal(await anchor.rootOf(batchKey(2)), ROOT_B);

  await (await anchor.setAnchorer(anchorer.address, false)).wait();
  await revertsWith(a.anchor(batchKey(3), ROOT_A, 1), anchor, 'NotAnchorer');
  await (await anchor.setAnchorer(anchorer.address, true)).wait();
});

test('ownership transfer', async () => {
  await revertsWith(anchor.connect(stranger).transferOwnership(stranger.address), anchor, 'NotOwner');
  await revertsWith(anchor.transferOwnership(ethers.ZeroAddress), anchor, 'ZeroAddress');
  const rc = await (await anchor.transferOwnership(stranger.address)).wait();
  assert.equal(events(anchor, rc, 'OwnershipTransferred')[0].args.newOwner, stranger.address);
  await revertsWith(anchor.setAnchorer(owner.address, true), anchor, 'NotOwner');
  await (await anchor.connect(stranger).transferOwnership(owner.address)).wait();
  assert.equal(await anchor.owner(), owner.address);
});

test('verifyInclusion accepts @openzeppelin/merkle-tree proofs and nothing else', async () => {
  const digests = Array.from({ length: 13 }, (_, i) => [ethers.id(`attestation-${i}`)]);
  const tree = StandardMerkleTree.of(digests, ['bytes32']);
  const a = anchor.connect(anchorer);
  await (await a.anchor(batchKey(10), tree.root, digests.length)).wait();
  for (const [i, v] of tree.entries()) {
    const leaf = tree.leafHash(v);
    assert.equal(await anchor.leafOf(v[0]), leaf);
    assert.equal(await anchor.verifyInclusion(batchKey(10), leaf, tree.getProof(i)), true, `leaf ${i}`);
  }
  const proof = tree.getProof(0);
  const leaf0 = tree.leafHash(digests[0]);
  const leaf1 = tree.leafHash(digests[1]);
  assert.equal(await anchor.verifyInclusion(batchKey(10), leaf1, proof), false, 'other leaf');
  assert.equal(await anchor.verifyInclusion(batchKey(10), digests[0][0], proof), false, 'raw digest is not a leaf');
  const tampered = [...proof];
  tampered[0] = ethers.id('x');
  assert.equal(await anchor.verifyInclusion(batchKey(10), leaf0, tampered), false, 'tampered proof');
  assert.equal(await anchor.verifyInclusion(batchKey(10), leaf0, proof.slice(1)), false, 'short proof');
  assert.equal(await anchor.verifyInclusion(batchKey(11), leaf0, proof), false, 'batch not anchored');
  assert.equal(await anchor.verifyInclusion(batchKey(1), leaf0, proof), false, 'another batch');
  assert.equal(await anchor.verifyInclusion(batchKey(11), ethers.ZeroHash, []), false, 'zero root never matches');

  // a one-leaf batch: the root is the leaf, the proof is empty
  const single = StandardMerkleTree.of([[ethers.id('only')]], ['bytes32']);
  await (await a.anchor(batchKey(12), single.root, 1)).wait();
  assert.equal(await anchor.verifyInclusion(batchKey(12), single.leafHash([ethers.id('only')]), []), true);
});
