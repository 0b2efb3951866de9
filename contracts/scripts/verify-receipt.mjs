// Verifies a Verdict receipt (docs/RECEIPTS.md, format verdict-receipt/1) with ethers v6 and
// @openzeppelin/merkle-tree only: an implementation independent of the Java ReceiptVerifier and of
// the contract, following the document's procedure step by step; with --rpc it also checks the
// anchor, the validator set and the signatures against the VerdictAnchor contract on chain.
//   node scripts/verify-receipt.mjs RECEIPT.json|- [--rpc URL]
// Prints {"ok", "checks": [{"check", "ok", "detail"}]} on stdout. Exit 0: every check passed;
// 1: the receipt is rejected; 2: usage error, unreadable input, or the RPC endpoint failed.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ethers } from 'ethers';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

const FORMAT = 'verdict-receipt/1';
const USAGE = 'usage: node scripts/verify-receipt.mjs RECEIPT.json|- [--rpc URL]';
const N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141n; // secp256k1 order
// the struct exactly as docs/RECEIPTS.md types it
const STRUCT = 'bytes32 jobId,bytes32 modelDigest,bytes32 inputDigest,bytes32 outputDigest,string policy,uint64 epoch';
const TYPES = { Attestation: STRUCT.split(',').map((f) => f.split(' ')).map(([type, name]) => ({ name, type })) };
const abi = ethers.AbiCoder.defaultAbiCoder();

/** The input could not be verified at all (exit 2); a UsageError also prints the usage line. */
class InputError extends Error {}
class UsageError extends InputError {}

// ------------------------------------------------------------------ JSON, integers kept exact

/** A JSON number as its source text: chain ids and epochs go up to 2^63 − 1, beyond a double. */
class Num { constructor(text) { this.text = text; } }
const MARK = '\u0000int:';

function parseJson(text) {
  JSON.parse(text); // syntax errors surface here
  // Integer literals outside strings become marked strings (the regex consumes strings whole);
  // fractions and exponents stay numbers and are refused where an integer is expected.
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g,
    (m) => (/^-?\d+$/.test(m) ? JSON.stringify(MARK + m) : m));
  return JSON.parse(marked, (k, v) => (typeof v === 'string' && v.startsWith(MARK)
    ? new Num(v.slice(MARK.length)) : typeof v === 'number' ? new Num(`${v} (not an integer literal)`) : v));
}

// ------------------------------------------------------------------ step 2: every field per its encoding

const SKIP = Symbol('under a malformed parent'); // reported once, at the parent
const problems = []; // MALFORMED_FIELD details
const bad = (path, why) => void problems.push(`${path}: ${why}`); // → undefined
function present(v, path) {
  if (v === undefined || v === null) bad(path, 'missing');
  return v !== SKIP && v !== undefined && v !== null;
}
const text = (re, what) => (v, path) => (!present(v, path) ? undefined
  : typeof v === 'string' && re.test(v) ? v : bad(path, `expected ${what}`));
const then = (parser, f) => (v, path) => { const t = parser(v, path); return t === undefined ? t : f(t, path); };
const string = text(/^/, 'a string');
const hex32 = then(text(/^0x[0-9a-fA-F]{64}$/, 'hex32 (0x + 64 hex digits)'), (t) => t.toLowerCase());
const sha256 = then(text(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 lowercase hex>'), (t) => t.replace('sha256:', '0x'));
const base64 = then(text(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64 with padding'),
  (t) => ethers.decodeBase64(t));
const address = then(text(/^0x[0-9a-fA-F]{40}$/, 'address (0x + 40 hex digits)'), (t, path) => {
  try { return ethers.getAddress(t); } catch { return bad(path, 'EIP-55 checksum mismatch'); }
});
const int = (min, max) => (v, path) => {
  if (!present(v, path)) return undefined;
  const n = v instanceof Num && /^-?\d+$/.test(v.text) ? BigInt(v.text) : undefined;
  return n >= min && n <= max ? n : bad(path, `expected an integer in ${min} … ${max}`);
};
const u63 = int(0n, 2n ** 63n - 1n);
const i32 = int(-(2n ** 31n), 2n ** 31n - 1n); // threshold and quorum, whose ranges are checked later
const list = (item) => (v, path) => {
  if (!present(v, path)) return undefined;
  if (!Array.isArray(v)) return bad(path, 'expected an array');
  const out = v.map((x, i) => {
    const r = parse(item, x, `${path}[${i}]`);
    return typeof item === 'object' && Object.values(r).includes(undefined) ? undefined : r; // entries all or nothing
  });
  return out.includes(undefined) ? undefined : out;
};
const nullable = (schema) => (v, path) => (v === null ? null : parse(schema, v, path));

/** Parses `v` by `schema` (a parser, or an object of schemas); unparseable values become undefined. */
function parse(schema, v, path) {
  if (typeof schema === 'function') return schema(v, path);
  const keys = Object.keys(schema);
  if (present(v, path) && (typeof v !== 'object' || Array.isArray(v) || v instanceof Num)) {
    bad(path, 'expected an object');
    v = SKIP;
  }
  if (v === SKIP || v === undefined || v === null) v = Object.fromEntries(keys.map((k) => [k, SKIP]));
  for (const k of Object.keys(v)) if (!keys.includes(k)) bad(path ? `${path}.${k}` : k, 'unknown field');
  return Object.fromEntries(keys.map((k) => [k, parse(schema[k], v[k], path ? `${path}.${k}` : k)]));
}

const VOTE = { validator: address, outputDigest: sha256, signature: string };
const RECEIPT = {
  format: string,
  jobId: hex32,
  domain: { name: string, version: string, chainId: int(1n, 2n ** 63n - 1n), verifyingContract: address },
  attestation: {
    jobId: hex32, modelDigest: sha256, inputDigest: sha256, outputDigest: sha256,
    policy: text(/^[\x20-\x7e]+$/, 'non-empty printable ASCII'), epoch: u63,
  },
  attestationDigest: hex32,
  validatorSet: { epoch: u63, threshold: i32, members: list(address), digest: hex32 },
  committee: list(address),
  quorum: i32,
  signatures: list({ validator: address, signature: string }),
  evidence: { dissenting: list(VOTE), equivocations: list({ validator: address, votes: list(VOTE) }) },
  output: base64,
  merkle: nullable({ batchId: u63, leaf: hex32, proof: list(hex32), root: hex32 }),
  anchor: nullable({ chainId: u63, contract: address, batchId: u63, txHash: hex32, blockNumber: u63 }),
};

// ------------------------------------------------------------------ crypto

/** ecrecover over `digest` of sig65 text r ‖ s ‖ v; refuses v ∉ {27, 28}, r or s out of range (high s). */
function recover(digest, sig) {
  if (!/^0x[0-9a-fA-F]{130}$/.test(sig)) return { error: 'not sig65 (0x + 130 hex digits)' };
  const [r, s, v] = [BigInt(sig.slice(0, 66)), BigInt(`0x${sig.slice(66, 130)}`), parseInt(sig.slice(130), 16)];
  if (v !== 27 && v !== 28) return { error: `v = ${v}, must be 27 or 28` };
  if (r === 0n || r >= N) return { error: 'r out of range' };
  if (s === 0n || s > N / 2n) return { error: 's zero or high (s > n/2)' };
  try { return { signer: ethers.recoverAddress(digest, { r: sig.slice(0, 66), s: `0x${sig.slice(66, 130)}`, v }) }; }
  catch { return { error: 'no key recoverable' }; }
}

const leafOf = (digest) => ethers.keccak256(ethers.keccak256(abi.encode(['bytes32'], [digest])));
const hashPair = (a, b) => ethers.keccak256(ethers.concat(BigInt(a) < BigInt(b) ? [a, b] : [b, a]));
const shaText = (hex) => `sha256:${hex.slice(2)}`;

// ------------------------------------------------------------------ report

class Report {
  checks = [];
  failed = false; // the input could not be verified (exit 2)
  transport = null; // the first RPC transport error
  add(check, ok, detail) { this.checks.push({ check, ok, detail }); }
  /** Runs `fn` → [ok, detail], unless a value it needs is malformed (then the check fails as not run). */
  async run(check, needs, fn) {
    if (needs.some((v) => v === undefined)) return this.add(check, false, 'not checked: a field it needs is malformed');
    try { this.add(check, ...(await fn())); } catch (e) {
      if (!check.startsWith('chain.')) throw e; // a bug, not a verdict
      if (e.code !== 'CALL_EXCEPTION' && e.code !== 'BAD_DATA') this.transport ??= e;
      this.add(check, false, `call failed: ${e.shortMessage ?? e.message}`);
    }
  }
  get ok() { return this.checks.every((c) => c.ok); }
}
const verdict = (code, list, okDetail) => (list.length ? [false, `${code}: ${list.join('; ')}`] : [true, okDetail]);
const equal = (a, b, okDetail, code, detail) => (a === b ? [true, okDetail] : [false, `${code}: ${detail}`]);

// ------------------------------------------------------------------ offline: steps 3-10

async function offline(r, report) {
  const { domain: d, attestation: a, validatorSet: set, merkle: m, anchor: n } = r;
  const { dissenting, equivocations } = r.evidence;
  const dom = { name: 'Verdict', version: '1', chainId: d.chainId, verifyingContract: d.verifyingContract };
  const att = Object.values(a).includes(undefined) ? undefined : a;
  const digestFor = (out) => ethers.TypedDataEncoder.hash(dom, TYPES, { ...att, outputDigest: out });
  // D, computed here, is what every later step uses (never the receipt's attestationDigest)
  const D = att && d.chainId !== undefined && d.verifyingContract ? digestFor(a.outputDigest) : undefined;
  const run = (check, needs, fn) => report.run(check, needs, fn);

  await run('domain', [d.name, d.version], () => (d.name === 'Verdict' && d.version === '1' ? [true, 'Verdict / 1']
    : [false, `DOMAIN_MISMATCH: expected Verdict / 1, got ${JSON.stringify(d.name)} / ${JSON.stringify(d.version)}`]));
  await run('job-id', [r.jobId, a.jobId], () => equal(r.jobId, a.jobId, r.jobId,
    'JOB_ID_MISMATCH', `receipt ${r.jobId}, attestation ${a.jobId}`));
  await run('attestation-digest', [D, r.attestationDigest], () => equal(D, r.attestationDigest, D,
    'ATTESTATION_DIGEST_MISMATCH', `claimed ${r.attestationDigest}, computed ${D}`));
  await run('output-digest', [r.output, a.outputDigest], () => {
    const h = ethers.sha256(r.output);
    return equal(h, a.outputDigest, `${shaText(h)} (${r.output.length} bytes)`, 'OUTPUT_DIGEST_MISMATCH',
      `sha256 of output is ${shaText(h)}, attestation says ${shaText(a.outputDigest)}`);
  });

  // step 5: the validator set
  const members = set.members ?? [];
  await run('validator-set', [set.members, set.threshold], () => {
    const list = members.flatMap((x, i) => (i > 0 && BigInt(members[i - 1]) >= BigInt(x)
      ? [`members[${i}] not distinct and ascending`] : []));
    const t = set.threshold;
    if (t < 1n || t > members.length) list.push(`threshold ${t} outside 1 … ${members.length}`);
    return verdict('VALIDATOR_SET_INVALID', list, `${members.length} members, threshold ${t}`);
  });
  await run('validator-set-digest', [set.epoch, set.threshold, set.members, set.digest], () => {
    const h = set.threshold < 0n ? 'none (negative threshold)'
      : ethers.keccak256(abi.encode(['uint64', 'uint256', 'address[]'], [set.epoch, set.threshold, members]));
    return equal(h, set.digest, h, 'VALIDATOR_SET_DIGEST_MISMATCH', `claimed ${set.digest}, computed ${h}`);
  });
  await run('epoch', [set.epoch, a.epoch], () => equal(set.epoch, a.epoch, `epoch ${a.epoch}`,
    'EPOCH_MISMATCH', `set epoch ${set.epoch}, attestation epoch ${a.epoch}`));

  // step 6: committee and quorum range
  const committee = new Set(r.committee ?? []);
  await run('committee', [r.committee, set.members], () => {
    const list = [];
    r.committee.forEach((c, i) => {
      if (r.committee.indexOf(c) !== i) list.push(`committee[${i}] ${c} listed twice`);
      if (!members.includes(c)) list.push(`committee[${i}] ${c} is not in the validator set`);
    });
    return verdict('COMMITTEE_INVALID', list, `${committee.size} members`);
  });
  await run('quorum-range', [r.quorum, r.committee, set.threshold], () => (
    set.threshold <= r.quorum && r.quorum <= committee.size ? [true, `q = ${r.quorum}`]
      : [false, `QUORUM_INVALID: q = ${r.quorum} outside ${set.threshold} … ${committee.size}`]));

  // step 7: evidence; its equivocators are remembered before any signature is counted
  const equivocators = new Set((equivocations ?? []).map((q) => q.validator));
  await run('evidence', [dissenting, equivocations, D, r.committee], () => {
    const list = [];
    const vote = (v, path, filedUnder = v.validator) => {
      if (v.validator !== filedUnder) list.push(`${path}: vote by ${v.validator} filed under ${filedUnder}`);
      if (!committee.has(v.validator)) list.push(`${path}: ${v.validator} is not in the committee`);
      const { signer, error } = recover(digestFor(v.outputDigest), v.signature);
      if (error || signer !== v.validator) list.push(`${path}: ${error ?? `signature recovers to ${signer}`}`);
    };
    dissenting.forEach((v, i) => {
      vote(v, `evidence.dissenting[${i}]`);
      if (v.outputDigest === a.outputDigest) list.push(`evidence.dissenting[${i}]: a vote for the agreed output`);
    });
    equivocations.forEach((q, i) => {
      q.votes.forEach((v, k) => vote(v, `evidence.equivocations[${i}].votes[${k}]`, q.validator));
      const outputs = new Set(q.votes.map((v) => v.outputDigest)).size;
      if (outputs < 2) list.push(`evidence.equivocations[${i}]: fewer than two distinct outputs`);
    });
    return verdict('EVIDENCE_INVALID', list, `${dissenting.length} dissenting, ${equivocators.size} equivocating`);
  });

  // step 8: signatures, then the quorum of distinct counted signers
  const counted = new Set();
  await run('signatures', [r.signatures, D, set.members, r.committee], () => {
    const list = [];
    const seen = new Set();
    r.signatures.forEach(({ validator: who, signature }, i) => {
      const fails = [];
      if (seen.has(who)) fails.push(`DUPLICATE_SIGNER: ${who} already signed at an earlier index`);
      seen.add(who);
      if (!members.includes(who)) fails.push(`SIGNER_NOT_IN_SET: ${who}`);
      else if (!committee.has(who)) fails.push(`SIGNER_NOT_IN_COMMITTEE: ${who}`);
      if (equivocators.has(who)) fails.push(`EQUIVOCATOR_COUNTED: ${who} equivocated (see evidence)`);
      const { signer, error } = recover(D, signature);
      if (error || signer !== who) fails.push(`SIGNATURE_INVALID: ${who}: ${error ?? `recovers to ${signer}`}`);
      if (fails.length === 0) counted.add(who);
      list.push(...fails.map((x) => `signatures[${i}] ${x}`));
    });
    return list.length ? [false, list.join('; ')] : [true, `${counted.size} valid signatures`];
  });
  await run('quorum', [r.quorum, r.signatures, D, set.members, r.committee], () => (counted.size >= r.quorum
    ? [true, `${counted.size} distinct committee signers, q = ${r.quorum}`]
    : [false, `QUORUM_NOT_MET: ${counted.size} valid distinct committee signatures, quorum is ${r.quorum}`]));

  // step 9: Merkle inclusion
  if (!m) {
    for (const check of ['merkle-leaf', 'merkle-root']) report.add(check, true, 'not batched (merkle is null)');
  } else {
    await run('merkle-leaf', [m.leaf, D], () => equal(m.leaf, leafOf(D), m.leaf, 'MERKLE_LEAF_MISMATCH',
      `leaf ${m.leaf}, leaf hash of the attestation digest is ${leafOf(D)}`));
    await run('merkle-root', [m.leaf, m.proof, m.root], () => {
      const computed = m.proof.reduce(hashPair, m.leaf);
      if (computed !== m.root) {
        return [false, `MERKLE_ROOT_MISMATCH: folding ${m.proof.length} proof nodes into the leaf gives ${computed}, `
          + `receipt says ${m.root}`];
      }
      if (D !== undefined && !StandardMerkleTree.verify(m.root, ['bytes32'], [D], m.proof)) {
        return [false, `MERKLE_ROOT_MISMATCH: StandardMerkleTree.verify rejects the attestation digest ${D}`];
      }
      return [true, `${m.root} (batch ${m.batchId}, proof length ${m.proof.length})`];
    });
  }

  // step 10: the anchor names this receipt's chain, contract and batch
  if (!n) report.add('anchor', true, 'not anchored (anchor is null)');
  else await run('anchor', [n.chainId, n.contract, n.batchId, d.chainId, d.verifyingContract], () => {
    const list = [];
    if (!m) list.push('an anchor without a merkle section');
    else if (n.batchId !== m.batchId) list.push(`anchor batch ${n.batchId}, merkle batch ${m.batchId}`);
    if (n.chainId !== d.chainId) list.push(`anchor chain ${n.chainId}, domain chain ${d.chainId}`);
    if (n.contract !== d.verifyingContract) list.push(`anchor contract ${n.contract}, domain ${d.verifyingContract}`);
    return verdict('ANCHOR_MISMATCH', list, `batch ${n.batchId} on chain ${n.chainId} at ${n.contract}`);
  });
  return { D, att };
}

// ------------------------------------------------------------------ on chain (--rpc)

async function rpcChainId(url) {
  const request = new ethers.FetchRequest(url);
  request.body = { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] };
  request.timeout = 15_000;
  try {
    const response = await request.send();
    response.assertOk();
    return BigInt(response.bodyJson.result);
  } catch (e) {
    throw new InputError(`RPC unreachable at ${url}: ${e.shortMessage ?? e.message}`);
  }
}

async function onChain(r, url, { D, att }, report) {
  const { domain: d, validatorSet: set, merkle: m, anchor: n } = r;
  const chainId = await rpcChainId(url); // before the provider, which would retry an unreachable node forever
  const network = ethers.Network.from(chainId);
  const provider = new ethers.JsonRpcProvider(url, network, { staticNetwork: network, batchMaxCount: 1 });
  const artifact = JSON.parse(readFileSync(new URL('../artifacts/VerdictAnchor.json', import.meta.url), 'utf8'));
  const address = n ? n.contract : d.verifyingContract;
  const contract = address && new ethers.Contract(address, artifact.abi, provider);
  const batch = n?.batchId === undefined ? undefined : ethers.toBeHex(n.batchId, 32);
  const run = (check, needs, fn) => report.run(check, needs, fn);

  const wanted = n ? n.chainId : d.chainId;
  await run('chain.id', [wanted], () => [chainId === wanted,
    `RPC chain ${chainId}, receipt ${n ? 'anchor' : 'domain'} chain ${wanted}`]);
  await run('chain.code', [address], async () => {
    const size = (await provider.getCode(address)).length / 2 - 1;
    return [size > 0, size > 0 ? `${size} bytes of code at ${address}` : `no contract at ${address}`];
  });
  await run('chain.validator-set', [address, set.epoch, set.digest], async () => {
    const digest = await contract.validatorSetDigest(set.epoch);
    const shown = digest === ethers.ZeroHash ? 'not registered' : digest;
    return [digest === set.digest, `epoch ${set.epoch}: on chain ${shown}, receipt ${set.digest}`];
  });
  await run('chain.attestation', [address, att, r.signatures], async () => {
    const sigs = r.signatures.map((s) => s.signature).filter((s) => ethers.isHexString(s));
    const [ok, count, threshold] = await Promise.all([contract.verifyAttestation(att, sigs),
      contract.countSigners(att, sigs), contract.thresholdOf(att.epoch)]);
    return [ok, `verifyAttestation ${ok}: ${count} distinct members of epoch ${att.epoch} signed, `
      + `threshold ${threshold === 0n ? 'none (epoch not registered)' : threshold}`];
  });
  const notAnchored = ['chain.root', 'chain.inclusion', 'chain.anchor-tx'];
  if (!n) notAnchored.forEach((check) => report.add(check, false, 'not anchored: the receipt has no anchor'));
  else {
    await run('chain.root', [address, batch, m?.root], async () => {
      const root = await contract.rootOf(batch);
      const shown = root === ethers.ZeroHash ? 'zero (batch not anchored)' : root;
      return [root === m.root, `rootOf(${n.batchId}) = ${shown}, receipt root ${m.root}`];
    });
    await run('chain.inclusion', [address, batch, D, m?.proof], async () => {
      const ok = await contract.verifyInclusion(batch, leafOf(D), m.proof);
      return [ok, `verifyInclusion(batch ${n.batchId}, leaf of the attestation digest, proof) = ${ok}`];
    });
    await run('chain.anchor-tx', [address, n.txHash, n.blockNumber, batch, m?.root], async () => {
      const tx = await provider.getTransactionReceipt(n.txHash);
      if (!tx) return [false, `no receipt for transaction ${n.txHash}`];
      const list = [];
      if (tx.status !== 1) list.push('transaction reverted');
      if (BigInt(tx.blockNumber) !== n.blockNumber) list.push(`in block ${tx.blockNumber}, not ${n.blockNumber}`);
      if (tx.to !== address) list.push(`sent to ${tx.to}, not ${address}`);
      const parsed = (l) => { try { return contract.interface.parseLog(l); } catch { return null; } };
      const events = tx.logs.filter((l) => l.address === address).map(parsed);
      if (!events.some((e) => e?.name === 'Anchored' && e.args.batchId === batch && e.args.root === m.root)) {
        list.push(`no Anchored(${n.batchId}, ${m.root}) event from ${address}`);
      }
      return list.length ? [false, list.join('; ')] : [true, `${n.txHash} in block ${tx.blockNumber}`];
    });
  }
  provider.destroy();
  const e = report.transport;
  if (e) throw new InputError(`RPC failed at ${url}: ${e.shortMessage ?? e.message}`);
}

// ------------------------------------------------------------------ command line

async function main(report) {
  let args;
  try { args = parseArgs({ options: { rpc: { type: 'string' } }, allowPositionals: true }); } catch (e) {
    throw new UsageError(e.message);
  }
  const { positionals: [file, ...extra], values: { rpc } } = args;
  if (file === undefined || extra.length > 0) throw new UsageError('exactly one receipt (a file, or - for stdin)');
  let json;
  try { json = readFileSync(file === '-' ? 0 : file, 'utf8'); } catch (e) {
    throw new InputError(`cannot read ${file}: ${e.message}`);
  }
  try { json = parseJson(json); } catch (e) {
    return report.add('format', false, `UNSUPPORTED_FORMAT: not JSON (${e.message})`);
  }
  // step 1: an unknown format stops everything
  if (json?.format !== FORMAT) {
    const got = JSON.stringify(json?.format ?? null);
    return report.add('format', false, `UNSUPPORTED_FORMAT: expected ${FORMAT}, got ${got}`);
  }
  report.add('format', true, FORMAT);
  const receipt = parse(RECEIPT, json, '');
  report.add('fields', problems.length === 0,
    problems.length ? `MALFORMED_FIELD: ${problems.join('; ')}` : 'every field parses');
  const computed = await offline(receipt, report);
  if (rpc !== undefined) await onChain(receipt, rpc, computed, report);
}

const report = new Report();
try {
  await main(report);
} catch (e) {
  // not a verdict on the receipt: exit 2 (an internal error too, so that it never reads as a rejection)
  console.error(`verify-receipt: ${e instanceof InputError ? e.message : e.stack}`);
  if (e instanceof UsageError) console.error(USAGE);
  report.add('input', false, e instanceof InputError ? e.message : `internal error: ${e.message}`);
  report.failed = true;
}
process.stdout.write(`${JSON.stringify({ ok: report.ok, checks: report.checks }, null, 2)}\n`);
process.exitCode = report.failed ? 2 : report.ok ? 0 : 1;
