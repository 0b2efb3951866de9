// verifyAttestation and the validator-set registry, first against the sample receipt of
// docs/RECEIPTS.md (signed by the Java code), then against attestations signed here with ethers.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  ethers, provider, signer, deploy, validators, canonical, domain, raw, sign, attestationDigest,
  highS, revertsWith, events, batchKey,
} from './helpers.mjs';

// docs/RECEIPTS.md, "Sample" (produced by the Java SampleReceipt; domain chainId 31337,
// verifyingContract = the first contract deployed by Hardhat's first account).
const SAMPLE = {
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  attestation: {
    jobId: '0x1e8d7affdec8df51ae5319b51f761c1e6cd166e9fa61e013889f2e65136eb73a',
    modelDigest: raw('sha256:559ddc3dce2321f155abe2078aab02f1276faafaea7826e74d2d16aef32f08c3'),
    inputDigest: raw('sha256:a6e30f01333fce7ac23feb45bf11e76bd517e308c58bab71c94b21f845247719'),
    outputDigest: raw('sha256:f94c01ee748a980946dde1778be769a78e17c4fc68419defee1d4708bded0901'),
    policy: 'QUANTIZED(0.0001)',
    epoch: 7n,
  },
  attestationDigest: '0xb03f024bd58d87ebb30e87dbaceaa04341684ca94507701c9dfb475fa89a0eb3',
  threshold: 2n,
  members: [
    '0x095E1C57e7CD910Fd26D4862aC6211261F9F02ec',
    '0x43689Fe4Ad60EC5670C50c1Df38756a1B6536683',
    '0x6fFBD14fDfb47871240bfFeDCCf60A2b6B0BCf65',
    '0x76ed0436C9EB9FD9Cbc0a030D77B0a6222C2760d',
    '0xa2A9DE4bc3E6Bbde5f7BdDFCb946200430bB295B',
    '0xa61027Be0b2e419ed7b1dc612eFbEAbCAB41AC4E',
    '0xd28D7861E76cabd2BAD1038A67eA74c7Ad4fD668',
  ],
  setDigest: '0x382c24e56bd4b92ce8a004408323e9b3d88cc75b02c94bcd424feaa7a2f0fa95',
  signatures: [
    '0x76c9217483c9f2134c078623ed583551d307c6f4016ca81fc13f839947fea1e87190e464dae4e98492421df48b38909c7e1911a5cd00ff18ff1cc9bcace1f42c1c',
    '0x20d038f49f71a8516b15c293c40962b554f4771a80faff4d3c55507b6203368e1bc88e659a781a1446d3c9d5379901e7b896fd3dd2fba354c7502359f96eaa9f1b',
    '0x3b40254986b24ea06c05e8a09d50a7abdaf2fb310f9f42cf0825183a43c3a4d663ef8499e6ffab95ca09fb421458368301b87bf656cdc2126e644d6e018ad49f1c',
    '0x1fe486262511868074349638bd6649f4f1ba6581c5c68eb1f9126781b7a1c42165e5a8c4167e0f11e642ba6e3ae9a4e2f669c7a628773ae8dc9edfb630f051371c',
  ],
  dissenting: '0xb5e1195c65df03de78dc8bdae3aacdc326ef36a1e732d5540f907956c931af2c65ff5e3dad189cd93e53b7ccb8f34ca319772799fa2e6df48e2a1c2a8834eb371b',
  batchId: 42n,
  leaf: '0x482bfd90e8aed336545267eaf58ad7ecdfea793f6b02ddfaeee32fb92651bb47',
  proof: [
    '0x6135422b26a509a5f69e34689ac853711e0d2291ec84b30c63cd9da3038611a8',
    '0xc1722bbb2fb2690ec9f221e507399824cb0ccd5521025191e920c5cd790b9cb7',
  ],
  root: '0x959f13a07100bee38399e55438db57836edf9344f7d59fad90e210cf928067c7',
};

let owner, stranger, anchor, dom;
const vs = validators(4); // three members of epoch 1 and one outsider
const members = canonical(vs.slice(0, 3).map((w) => w.address));
const outsider = vs[3];
const att = {
  jobId: ethers.id('job-1'),
  modelDigest: ethers.sha256(ethers.toUtf8Bytes('model')),
  inputDigest: ethers.sha256(ethers.toUtf8Bytes('input')),
  outputDigest: ethers.sha256(ethers.toUtf8Bytes('output')),
  policy: 'EXACT',
  epoch: 1n,
};

before(async () => {
  owner = await signer(0);
  stranger = await signer(1);
  // first transaction of the chain: lands at the sample's verifyingContract
  ({ contract: anchor } = await deploy('VerdictAnchor', owner, owner.address));
  const { chainId } = await provider.getNetwork();
  dom = domain(chainId, await anchor.getAddress());
  await (await anchor.registerValidatorSet(1, members, 2)).wait();
});

test('the Java sample receipt verifies on chain', async () => {
  assert.equal(await anchor.getAddress(), SAMPLE.verifyingContract);
  const rc = await (await anchor.registerValidatorSet(7, SAMPLE.members, SAMPLE.threshold)).wait();
  assert.equal(await anchor.validatorSetDigest(7), SAMPLE.setDigest);
  assert.equal(events(anchor, rc, 'ValidatorSetRegistered')[0].args.digest, SAMPLE.setDigest);
  assert.equal(await anchor.attestationDigest(SAMPLE.attestation), SAMPLE.attestationDigest);
  assert.equal(attestationDigest(dom, SAMPLE.attestation), SAMPLE.attestationDigest);
  assert.equal(await anchor.verifyAttestation(SAMPLE.attestation, SAMPLE.signatures), true);
  assert.equal(await anchor.countSigners(SAMPLE.attestation, SAMPLE.signatures), 4n);
  // the dissenting vote signed another output: it does not count for this attestation
  assert.equal(await anchor.verifyAttestation(SAMPLE.attestation, [SAMPLE.signatures[0], SAMPLE.dissenting]), false);
  assert.equal(await anchor.leafOf(SAMPLE.attestationDigest), SAMPLE.leaf);
  await (await anchor.setAnchorer(owner.address, true)).wait();
  await (await anchor.anchor(batchKey(SAMPLE.batchId), SAMPLE.root, 5)).wait();
  assert.equal(await anchor.verifyInclusion(batchKey(SAMPLE.batchId), SAMPLE.leaf, SAMPLE.proof), true);
});

test('registry: epochs, members, threshold, events; owner only, once per epoch', async () => {
  assert.deepEqual([...(await anchor.membersOf(1))], members);
  assert.equal(await anchor.thresholdOf(1), 2n);
  assert.equal(await anchor.isMember(1, members[0]), true);
  assert.equal(await anchor.isMember(1, outsider.address), false);
  assert.equal(await anchor.isMember(2, members[0]), false);
  assert.equal(await anchor.thresholdOf(99), 0n);
  const expected = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(
    ['uint64', 'uint256', 'address[]'], [1, 2, members]));
  assert.equal(await anchor.validatorSetDigest(1), expected);

  await revertsWith(anchor.connect(stranger).registerValidatorSet(2, members, 2), anchor, 'NotOwner');
  await revertsWith(anchor.registerValidatorSet(1, members, 2), anchor, 'EpochAlreadyRegistered');
  await revertsWith(anchor.registerValidatorSet(2, [], 1), anchor, 'NoMembers');
  await revertsWith(anchor.registerValidatorSet(2, members, 0), anchor, 'BadThreshold');
  await revertsWith(anchor.registerValidatorSet(2, members, 4), anchor, 'BadThreshold');
  await revertsWith(anchor.registerValidatorSet(2, [...members].reverse(), 2), anchor, 'MembersNotAscending');
  await revertsWith(anchor.registerValidatorSet(2, [members[0], members[0]], 1), anchor, 'MembersNotAscending');
  await revertsWith(anchor.registerValidatorSet(2, [ethers.ZeroAddress, members[0]], 1), anchor, 'MembersNotAscending');

  const two = canonical([members[0], outsider.address]);
  const rc = await (await anchor.registerValidatorSet(2, two, 1)).wait();
  const [ev] = events(anchor, rc, 'ValidatorSetRegistered');
  assert.equal(ev.args.epoch, 2n);
  assert.equal(ev.args.threshold, 1n);
  assert.deepEqual([...ev.args.members], two);
});

test('on-chain EIP-712 digest equals ethers TypedDataEncoder', async () => {
  assert.equal(await anchor.attestationDigest(att), attestationDigest(dom, att));
  const separator = ethers.TypedDataEncoder.hashDomain(dom);
  assert.equal(await anchor.domainSeparator(), separator);
  assert.equal(ethers.verifyTypedData(dom, { Attestation: [
    { name: 'jobId', type: 'bytes32' }, { name: 'modelDigest', type: 'bytes32' },
    { name: 'inputDigest', type: 'bytes32' }, { name: 'outputDigest', type: 'bytes32' },
    { name: 'policy', type: 'string' }, { name: 'epoch', type: 'uint64' }] }, att,
  await sign(vs[0], dom, att)), vs[0].address);
});

test('verifyAttestation: true for a quorum, false for every shortfall', async () => {
  const sigs = await Promise.all(vs.map((w) => sign(w, dom, att)));
  const [s0, s1, s2, sOut] = sigs;
  const ok = (a, list) => anchor.verifyAttestation(a, list);

  assert.equal(await ok(att, [s0, s1]), true, 'q = threshold');
  assert.equal(await ok(att, [s2, s0, s1]), true, 'all members, any order');
  assert.equal(await ok(att, [s0, sOut, s1]), true, 'a non-member among them is ignored');
  assert.equal(await ok(att, [s0]), false, 'too few');
  assert.equal(await ok(att, []), false, 'none');
  assert.equal(await ok(att, [s0, s0]), false, 'duplicate signer');
  assert.equal(await ok(att, [s0, s0, s0]), false, 'duplicate signer, thrice');
  assert.equal(await ok(att, [s0, sOut]), false, 'non-member');
  assert.equal(await ok(att, [s0, highS(s1)]), false, 'high-s');
  assert.equal(ethers.recoverAddress(attestationDigest(dom, att), ethers.Signature.from({
    r: ethers.dataSlice(s1, 0, 32), s: ethers.dataSlice(s1, 32, 64), v: ethers.getBytes(s1)[64] })), vs[1].address);
  const badV = ethers.concat([ethers.dataSlice(s1, 0, 64), new Uint8Array([1])]);
  assert.equal(await ok(att, [s0, badV]), false, 'v = 1');
  const shortSig = ethers.dataSlice(s1, 0, 64);
  assert.equal(await ok(att, [s0, shortSig]), false, '64-byte signature');
  const longSig = ethers.concat([s1, '0x00']);
  assert.equal(await ok(att, [s0, longSig]), false, '66-byte signature');
  assert.equal(await ok(att, [s0, ethers.hexlify(new Uint8Array(65))]), false, 'zero signature');

  for (const field of ['jobId', 'modelDigest', 'inputDigest', 'outputDigest']) {
    const altered = { ...att, [field]: ethers.id(`other-${field}`) };
    assert.equal(await ok(altered, [s0, s1]), false, `altered ${field}`);
  }
  assert.equal(await ok({ ...att, policy: 'ARGMAX' }, [s0, s1]), false, 'altered policy');

  // epoch 2 = {members[0], outsider}, threshold 1: signatures over epoch 1 do not carry over
  assert.equal(await ok({ ...att, epoch: 2n }, [s0, s1]), false, 'wrong epoch');
  const att2 = { ...att, epoch: 2n };
  const memberOf2 = vs.find((w) => w.address === members[0]);
  assert.equal(await ok(att2, [await sign(memberOf2, dom, att2)]), true, 'epoch 2 threshold 1');
  const att3 = { ...att, epoch: 3n };
  assert.equal(await ok(att3, [await sign(vs[0], dom, att3), await sign(vs[1], dom, att3)]), false,
    'unregistered epoch');

  // signed under another domain (other chain id / other contract)
  const otherChain = { ...dom, chainId: 1n };
  assert.equal(await ok(att, [await sign(vs[0], otherChain, att), await sign(vs[1], otherChain, att)]), false,
    'other chain id');
  const otherContract = { ...dom, verifyingContract: outsider.address };
  assert.equal(await ok(att, [await sign(vs[0], otherContract, att), await sign(vs[1], otherContract, att)]),
    false, 'other verifying contract');
});
