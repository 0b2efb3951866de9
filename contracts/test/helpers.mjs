// Shared test helpers: Hardhat's in-process EVM (one fresh chain per test file, since node --test
// runs each file in its own process), ethers v6 on top of it, the committed artifacts, and
// EIP-712 attestation signing exactly as the Java side (verification/.../Attestation.java) does.
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { TASK_NODE_CREATE_SERVER } from 'hardhat/builtin-tasks/task-names.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// Hardhat keeps config/cache folders under the home folder: keep them in the build folder.
const home = join(ROOT, 'target', 'hardhat-home');
mkdirSync(home, { recursive: true });
for (const v of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME']) process.env[v] = home;
process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = 'true';
process.env.HARDHAT_CONFIG = join(ROOT, 'hardhat.config.cjs');
process.env.HARDHAT_NETWORK = 'hardhat';
const hre = (await import('hardhat')).default;

// cacheTimeout -1: ethers otherwise answers a repeated identical request (e.g. a retried
// estimateGas) from a 250 ms cache, which hides state changes made in between.
export const provider = new ethers.BrowserProvider(hre.network.provider, undefined, { cacheTimeout: -1 });
export { ethers };

export function artifact(name) {
  return JSON.parse(readFileSync(join(ROOT, 'artifacts', `${name}.json`), 'utf8'));
}

export async function signer(i) {
  return provider.getSigner(i);
}

export async function deploy(name, from, ...args) {
  const a = artifact(name);
  const factory = new ethers.ContractFactory(a.abi, a.bytecode, from);
  const c = await factory.deploy(...args);
  const receipt = await c.deploymentTransaction().wait();
  return { contract: c, receipt };
}

/** Deterministic validator wallets (keys are keccak256("verdict-test-validator-<i>")). */
export function validators(n) {
  const ws = [];
  for (let i = 0; i < n; i++) ws.push(new ethers.Wallet(ethers.id(`verdict-test-validator-${i}`)));
  return ws;
}

/** Addresses in the canonical order: ascending as unsigned 160-bit numbers. */
export function canonical(addresses) {
  return [...addresses].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'modelDigest', type: 'bytes32' },
    { name: 'inputDigest', type: 'bytes32' },
    { name: 'outputDigest', type: 'bytes32' },
    { name: 'policy', type: 'string' },
    { name: 'epoch', type: 'uint64' },
  ],
};

export function domain(chainId, verifyingContract) {
  return { name: 'Verdict', version: '1', chainId, verifyingContract };
}

/** `sha256:<hex>` text to the 32 raw bytes as 0x-hex. */
export function raw(sha256Text) {
  if (!sha256Text.startsWith('sha256:')) throw new Error(sha256Text);
  return '0x' + sha256Text.slice(7);
}

export function attestationDigest(dom, att) {
  return ethers.TypedDataEncoder.hash(dom, ATTESTATION_TYPES, att);
}

export async function sign(wallet, dom, att) {
  return wallet.signTypedData(dom, ATTESTATION_TYPES, att);
}

const N = BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141');

/** The same signature with s replaced by n − s and v flipped: ecrecover accepts it, we must not. */
export function highS(sig65) {
  const b = ethers.getBytes(sig65);
  const r = b.slice(0, 32);
  const s = BigInt(ethers.hexlify(b.slice(32, 64)));
  const v = b[64] === 27 ? 28 : 27;
  return ethers.concat([r, ethers.toBeHex(N - s, 32), new Uint8Array([v])]);
}

/** Awaits `promise`, expecting a revert with the custom error `name` of `contract`. */
export async function revertsWith(promise, contract, name) {
  try {
    await promise;
  } catch (e) {
    // ethers decodes most reverts itself; for some Hardhat error shapes the data sits one level down
    const data = e.data ?? e.error?.data ?? e.info?.error?.data;
    let parsed = e.revert ?? null;
    if (!parsed && typeof data === 'string') {
      try { parsed = contract.interface.parseError(data); } catch { /* unknown */ }
    }
    if (parsed?.name !== name) {
      throw new Error(`expected revert ${name}, got ${parsed?.name ?? e.shortMessage ?? e.message}`);
    }
    return parsed.args;
  }
  throw new Error(`expected revert ${name}, but the call succeeded`);
}

export function events(contract, receipt, name) {
  return receipt.logs
    .map((l) => { try { return contract.interface.parseLog(l); } catch { return null; } })
    .filter((l) => l && l.name === name);
}

export function batchKey(n) {
  return ethers.toBeHex(n, 32);
}

/**
 * Hardhat's JSON-RPC server (the one `hardhat node` starts) over this process's chain, bound to
 * 127.0.0.1 on a free port, so that child processes can reach the chain the test builds.
 */
export async function rpcServer() {
  const server = await hre.run(TASK_NODE_CREATE_SERVER,
    { hostname: '127.0.0.1', port: 0, provider: hre.network.provider });
  const { address, port } = await server.listen();
  return { url: `http://${address}:${port}`, close: () => server.close() };
}
