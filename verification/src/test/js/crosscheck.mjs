// Cross-checks for the Java verification module, run by JUnit (NodeCrossCheck.java).
// Usage: node crosscheck.mjs <command>  — reads one JSON document on stdin, writes one on stdout.
// Commands:
//   eip712  {domain, types, primaryType, messages: [{message, signature}], sign: {privateKey, message}}
//           -> {domainSeparator, results: [{hash, recovered}], signed: {signature, address}}
//   abi     {sets: [{epoch, threshold, members}]} -> {digests: [hex]}
//   merkle  {trees: [{values: [hex], javaRoot, javaProofs: [[hex]]}]}
//           -> {trees: [{root, nodes, treeIndices, proofs, javaProofsValid}]}
import { AbiCoder, TypedDataEncoder, Wallet, keccak256, verifyTypedData } from 'ethers';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function eip712(input) {
  const { domain, types, primaryType } = input;
  const only = { [primaryType]: types[primaryType], ...types };
  delete only.EIP712Domain;
  const results = input.messages.map(({ message, signature }) => ({
    hash: TypedDataEncoder.hash(domain, only, message),
    recovered: verifyTypedData(domain, only, message, signature),
  }));
  let signed = null;
  if (input.sign) {
    const wallet = new Wallet(input.sign.privateKey);
    signed = {
      address: wallet.address,
      signature: await wallet.signTypedData(domain, only, input.sign.message),
    };
  }
  return { domainSeparator: TypedDataEncoder.hashDomain(domain), results, signed };
}

function abi(input) {
  const coder = AbiCoder.defaultAbiCoder();
  return {
    digests: input.sets.map(s =>
      keccak256(coder.encode(['uint64', 'uint256', 'address[]'], [s.epoch, s.threshold, s.members]))),
  };
}

function merkle(input) {
  return {
    trees: input.trees.map(({ values, javaRoot, javaProofs }) => {
      const tree = StandardMerkleTree.of(values.map(v => [v]), ['bytes32']);
      const dump = tree.dump();
      return {
        root: tree.root,
        nodes: dump.tree,
        treeIndices: dump.values.map(v => v.treeIndex),
        proofs: values.map((_, i) => tree.getProof(i)),
        javaProofsValid: values.map((v, i) =>
          StandardMerkleTree.verify(javaRoot, ['bytes32'], [v], javaProofs[i])),
      };
    }),
  };
}

const commands = { eip712, abi, merkle };
const command = commands[process.argv[2]];
if (!command) {
  console.error(`unknown command ${process.argv[2]}; expected one of ${Object.keys(commands)}`);
  process.exit(2);
}
try {
  const output = await command(await readStdin());
  process.stdout.write(JSON.stringify(output));
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
}
