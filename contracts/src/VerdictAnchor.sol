// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @title VerdictAnchor
/// @notice Verdict's on-chain trust anchor. One contract holds, on purpose, everything a consumer
/// checks, because its address is the EIP-712 `verifyingContract` of every Verdict attestation
/// (docs/RECEIPTS.md: "the anchor chain's id and the anchor contract"):
///  - anchoring: authorised anchorers record one Merkle root per batch id, exactly once;
///  - the validator-set registry: per epoch, the member addresses and the threshold;
///  - `verifyAttestation`: a quorum of distinct epoch members signed the EIP-712 digest;
///  - `verifyInclusion`: an OpenZeppelin-convention (sorted-pair) Merkle proof against an anchored root.
/// The owner (the cluster operator) manages anchorers and registers validator sets. A registered
/// epoch can never be changed, and an anchored root can never be replaced.
contract VerdictAnchor {
    /// @notice The struct validators sign (docs/RECEIPTS.md, Attestation).
    struct Attestation {
        bytes32 jobId;
        bytes32 modelDigest;
        bytes32 inputDigest;
        bytes32 outputDigest;
        string policy;
        uint64 epoch;
    }

    struct Batch {
        bytes32 root;
        uint64 count;
        uint64 blockNumber;
    }

    struct ValidatorSetInfo {
        uint256 threshold; // 0: epoch not registered
        bytes32 digest; // keccak256(abi.encode(uint64 epoch, uint256 threshold, address[] members))
        address[] members; // ascending as unsigned 160-bit numbers
    }

    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(bytes32 jobId,bytes32 modelDigest,bytes32 inputDigest,bytes32 outputDigest,string policy,uint64 epoch)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("Verdict");
    bytes32 private constant VERSION_HASH = keccak256("1");
    /// @dev secp256k1 order n divided by 2: larger s values are rejected (malleability).
    uint256 private constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    address public owner;
    mapping(address => bool) public isAnchorer;
    mapping(bytes32 => Batch) private _batches;
    mapping(uint64 => ValidatorSetInfo) private _sets;
    mapping(uint64 => mapping(address => bool)) private _isMember;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event AnchorerSet(address indexed anchorer, bool authorised);
    event Anchored(bytes32 indexed batchId, bytes32 root, uint64 count, address indexed anchorer);
    event ValidatorSetRegistered(uint64 indexed epoch, uint256 threshold, bytes32 digest, address[] members);

    error NotOwner(address caller);
    error NotAnchorer(address caller);
    error ZeroAddress();
    error EmptyRoot();
    error EmptyBatch();
    error RootMismatch(bytes32 batchId, bytes32 anchoredRoot, bytes32 offeredRoot);
    error EpochAlreadyRegistered(uint64 epoch);
    error NoMembers();
    error MembersNotAscending(uint256 index);
    error BadThreshold(uint256 threshold, uint256 members);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert ZeroAddress();
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    // ------------------------------------------------------------------ ownership and anchorers

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function setAnchorer(address anchorer, bool authorised) external onlyOwner {
        if (anchorer == address(0)) revert ZeroAddress();
        isAnchorer[anchorer] = authorised;
        emit AnchorerSet(anchorer, authorised);
    }

    // ------------------------------------------------------------------ anchoring

    /// @notice Records `root` (of a batch of `count` attestations) for `batchId`, once. Anchoring
    /// the same root again is a no-op (no event), so a retried transaction is harmless; a
    /// different root for an anchored batch reverts with RootMismatch.
    /// @dev Verdict's numeric batch ids are written as bytes32(uint256(batchId)).
    function anchor(bytes32 batchId, bytes32 root, uint64 count) external {
        if (!isAnchorer[msg.sender]) revert NotAnchorer(msg.sender);
        if (root == bytes32(0)) revert EmptyRoot();
        if (count == 0) revert EmptyBatch();
        bytes32 existing = _batches[batchId].root;
        if (existing == root) return;
        if (existing != bytes32(0)) revert RootMismatch(batchId, existing, root);
        _batches[batchId] = Batch(root, count, uint64(block.number));
        emit Anchored(batchId, root, count, msg.sender);
    }

    /// @notice The anchored root of `batchId`, or zero if none.
    function rootOf(bytes32 batchId) external view returns (bytes32) {
        return _batches[batchId].root;
    }

    /// @notice Root, leaf count and anchoring block of `batchId` (all zero if not anchored).
    function batchOf(bytes32 batchId) external view returns (bytes32 root, uint64 count, uint64 blockNumber) {
        Batch storage b = _batches[batchId];
        return (b.root, b.count, b.blockNumber);
    }

    /// @notice True iff `proof` (sibling hashes from the leaf up, sorted-pair hashing as in
    /// OpenZeppelin MerkleProof) folds `leaf` into the anchored root of `batchId`.
    /// `leaf` is the tree leaf hash, i.e. `leafOf(attestationDigest)`.
    function verifyInclusion(bytes32 batchId, bytes32 leaf, bytes32[] calldata proof) public view returns (bool) {
        bytes32 root = _batches[batchId].root;
        if (root == bytes32(0)) return false;
        bytes32 h = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            h = _hashPair(h, proof[i]);
        }
        return h == root;
    }

    /// @notice The standard-Merkle-tree leaf (leaf type ["bytes32"]) of an attestation digest:
    /// keccak256(bytes.concat(keccak256(abi.encode(attestationDigest)))).
    function leafOf(bytes32 digest) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(digest))));
    }

    // ------------------------------------------------------------------ validator sets

    /// @notice Registers the validator set of `epoch`: distinct members in ascending order (the
    /// canonical order of the Java ValidatorSet) and 1 <= threshold <= members.length.
    /// An epoch is registered once and never changes.
    function registerValidatorSet(uint64 epoch, address[] calldata members, uint256 threshold) external onlyOwner {
        ValidatorSetInfo storage info = _sets[epoch];
        if (info.threshold != 0) revert EpochAlreadyRegistered(epoch);
        uint256 n = members.length;
        if (n == 0) revert NoMembers();
        if (threshold == 0 || threshold > n) revert BadThreshold(threshold, n);
        address previous = address(0);
        for (uint256 i = 0; i < n; ++i) {
            address m = members[i];
            // strictly ascending also rules out duplicates and the zero address
            if (uint160(m) <= uint160(previous)) revert MembersNotAscending(i);
            _isMember[epoch][m] = true;
            info.members.push(m);
            previous = m;
        }
        bytes32 digest = keccak256(abi.encode(epoch, threshold, members));
        info.threshold = threshold;
        info.digest = digest;
        emit ValidatorSetRegistered(epoch, threshold, digest, members);
    }

    function thresholdOf(uint64 epoch) external view returns (uint256) {
        return _sets[epoch].threshold;
    }

    function validatorSetDigest(uint64 epoch) external view returns (bytes32) {
        return _sets[epoch].digest;
    }

    function membersOf(uint64 epoch) external view returns (address[] memory) {
        return _sets[epoch].members;
    }

    function isMember(uint64 epoch, address account) external view returns (bool) {
        return _isMember[epoch][account];
    }

    // ------------------------------------------------------------------ attestations

    /// @notice EIP712Domain{name "Verdict", version "1", chainId = block.chainid, verifyingContract = this}.
    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function hashAttestation(Attestation calldata a) public pure returns (bytes32) {
        return keccak256(
            abi.encode(
                ATTESTATION_TYPEHASH,
                a.jobId,
                a.modelDigest,
                a.inputDigest,
                a.outputDigest,
                keccak256(bytes(a.policy)),
                a.epoch
            )
        );
    }

    /// @notice The EIP-712 digest validators sign: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(a)).
    function attestationDigest(Attestation calldata a) public view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), hashAttestation(a)));
    }

    /// @notice True iff at least the threshold of epoch `a.epoch` of DISTINCT members of that epoch
    /// signed attestationDigest(a). Each signature is 65 bytes r ‖ s ‖ v with v in {27, 28} and
    /// s <= n/2; malformed signatures, non-members and repeated signers count for nothing.
    function verifyAttestation(Attestation calldata a, bytes[] calldata signatures) public view returns (bool) {
        return countSigners(a, signatures) >= _thresholdOrMax(a.epoch);
    }

    /// @notice The number of distinct members of epoch `a.epoch` among the valid signatures.
    function countSigners(Attestation calldata a, bytes[] calldata signatures) public view returns (uint256 count) {
        bytes32 digest = attestationDigest(a);
        mapping(address => bool) storage members = _isMember[a.epoch];
        address[] memory seen = new address[](signatures.length);
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = _recover(digest, signatures[i]);
            if (signer == address(0) || !members[signer]) continue;
            bool repeated = false;
            for (uint256 j = 0; j < count; ++j) {
                if (seen[j] == signer) {
                    repeated = true;
                    break;
                }
            }
            if (repeated) continue;
            seen[count] = signer;
            ++count;
        }
    }

    function _thresholdOrMax(uint64 epoch) private view returns (uint256) {
        uint256 t = _sets[epoch].threshold;
        return t == 0 ? type(uint256).max : t; // an unregistered epoch never verifies
    }

    /// @dev ecrecover with the checks OpenZeppelin ECDSA applies; zero address when invalid.
    function _recover(bytes32 digest, bytes calldata sig) private pure returns (address) {
        if (sig.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := calldataload(sig.offset)
            s := calldataload(add(sig.offset, 32))
            v := byte(0, calldataload(add(sig.offset, 64)))
        }
        if (uint256(s) > HALF_N) return address(0);
        if (v != 27 && v != 28) return address(0);
        return ecrecover(digest, v, r, s);
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        (bytes32 lo, bytes32 hi) = a < b ? (a, b) : (b, a);
        assembly {
            mstore(0x00, lo)
            mstore(0x20, hi)
            h := keccak256(0x00, 0x40)
        }
    }
}
