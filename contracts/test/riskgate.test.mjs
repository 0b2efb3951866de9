// The example consumer acts only on a quorum-verified score of its trusted model.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  ethers, provider, signer, deploy, validators, canonical, domain, sign, highS, revertsWith, events,
} from './helpers.mjs';

const MODEL = ethers.sha256(ethers.toUtf8Bytes('risk-model-v1'));
const POLICY = 'QUANTIZED(0.000001)';
const MAX_SCORE = 500_000n; // 0.5 scaled by 1e6
let owner, subject, anchor, gate, dom;
const vs = validators(4);
const members = canonical(vs.slice(0, 3).map((w) => w.address));

function scoreOutput(score) {
  return ethers.toBeHex(score, 32);
}

function attestationFor(job, output, overrides = {}) {
  return {
    jobId: ethers.id(job),
    modelDigest: MODEL,
    inputDigest: ethers.sha256(ethers.toUtf8Bytes(`input of ${job}`)),
    outputDigest: ethers.sha256(output),
    policy: POLICY,
    epoch: 5n,
    ...overrides,
  };
}

async function quorum(att, signers = vs.slice(0, 2)) {
  return Promise.all(signers.map((w) => sign(w, dom, att)));
}

before(async () => {
  [owner, subject] = await Promise.all([signer(0), signer(1)]);
  ({ contract: anchor } = await deploy('VerdictAnchor', owner, owner.address));
  ({ contract: gate } = await deploy('RiskGate', owner, await anchor.getAddress(), MODEL, POLICY, MAX_SCORE));
  await (await anchor.registerValidatorSet(5, members, 2)).wait();
  dom = domain((await provider.getNetwork()).chainId, await anchor.getAddress());
});

test('approves on a verified low score, rejects on a verified high score', async () => {
  const low = scoreOutput(120_000n);
  const a1 = attestationFor('job-low', low);
  const rc = await (await gate.decide(subject.address, a1, await quorum(a1), low)).wait();
  const [ev] = events(gate, rc, 'Decision');
  assert.deepEqual([ev.args.subject, ev.args.jobId, ev.args.score, ev.args.approved],
    [subject.address, a1.jobId, 120_000n, true]);
  assert.equal(await gate.approved(subject.address), true);
  assert.equal(await gate.jobUsed(a1.jobId), true);

  const high = scoreOutput(900_000n);
  const a2 = attestationFor('job-high', high);
  await (await gate.decide(subject.address, a2, await quorum(a2), high)).wait();
  assert.equal(await gate.approved(subject.address), false);
});

test('does nothing without a quorum or with a mismatched claim', async () => {
  const out = scoreOutput(1n);
  const a = attestationFor('job-x', out);
  const [s0, s1] = await quorum(a);
  const outsider = await sign(vs[3], dom, a);
  await revertsWith(gate.decide(subject.address, a, [s0], out), gate, 'UnverifiedAttestation');
  await revertsWith(gate.decide(subject.address, a, [s0, s0], out), gate, 'UnverifiedAttestation');
  await revertsWith(gate.decide(subject.address, a, [s0, outsider], out), gate, 'UnverifiedAttestation');
  await revertsWith(gate.decide(subject.address, a, [s0, highS(s1)], out), gate, 'UnverifiedAttestation');
  // an output other than the attested one
  await revertsWith(gate.decide(subject.address, a, [s0, s1], scoreOutput(2n)), gate, 'OutputMismatch');
  // a claim that the output was different: the signatures no longer match
  const forged = { ...a, outputDigest: ethers.sha256(scoreOutput(2n)) };
  await revertsWith(gate.decide(subject.address, forged, [s0, s1], scoreOutput(2n)), gate, 'UnverifiedAttestation');
  // another model, properly signed: not the model this gate trusts
  const otherModel = attestationFor('job-y', out, { modelDigest: ethers.id('other model') });
  await revertsWith(gate.decide(subject.address, otherModel, await quorum(otherModel), out), gate, 'WrongModel');
  const otherPolicy = attestationFor('job-z', out, { policy: 'EXACT' });
  await revertsWith(gate.decide(subject.address, otherPolicy, await quorum(otherPolicy), out), gate, 'WrongPolicy');
  const shortOut = '0x01';
  const shortAtt = attestationFor('job-short', shortOut);
  await revertsWith(gate.decide(subject.address, shortAtt, await quorum(shortAtt), shortOut), gate, 'BadOutputLength');
  assert.equal(await gate.jobUsed(a.jobId), false);

  await (await gate.decide(subject.address, a, [s1, s0], out)).wait();
  assert.equal(await gate.approved(subject.address), true);
  await revertsWith(gate.decide(subject.address, a, [s0, s1], out), gate, 'JobAlreadyUsed');
});
