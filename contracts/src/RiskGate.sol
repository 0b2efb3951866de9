// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

import {VerdictAnchor} from "./VerdictAnchor.sol";

/// @title RiskGate
/// @notice Example consumer: a lending-style gate that approves an account only on a risk score
/// computed by one trusted model and agreed by a Verdict validator quorum. It acts only when
///  - the attestation is signed by the quorum of its epoch (VerdictAnchor.verifyAttestation),
///  - the attestation's model is the model this gate trusts, with the expected agreement policy,
///  - sha256(output) equals the attested output digest (the output bytes are the score: a
///    32-byte big-endian unsigned integer, scaled by 1e6), and
///  - the job was not used before (each job decides once).
/// It then approves `subject` if score <= maxScore, and rejects it otherwise.
contract RiskGate {
    VerdictAnchor public immutable verdict;
    bytes32 public immutable trustedModel;
    bytes32 public immutable policyHash;
    uint256 public immutable maxScore;

    mapping(bytes32 => bool) public jobUsed;
    mapping(address => bool) public approved;

    event Decision(address indexed subject, bytes32 indexed jobId, uint256 score, bool approved);

    error UnverifiedAttestation(bytes32 jobId);
    error WrongModel(bytes32 modelDigest);
    error WrongPolicy(string policy);
    error OutputMismatch(bytes32 attested, bytes32 actual);
    error BadOutputLength(uint256 length);
    error JobAlreadyUsed(bytes32 jobId);

    constructor(VerdictAnchor verdict_, bytes32 trustedModel_, string memory policy_, uint256 maxScore_) {
        verdict = verdict_;
        trustedModel = trustedModel_;
        policyHash = keccak256(bytes(policy_));
        maxScore = maxScore_;
    }

    function decide(
        address subject,
        VerdictAnchor.Attestation calldata a,
        bytes[] calldata signatures,
        bytes calldata output
    ) external returns (bool) {
        if (jobUsed[a.jobId]) revert JobAlreadyUsed(a.jobId);
        if (a.modelDigest != trustedModel) revert WrongModel(a.modelDigest);
        if (keccak256(bytes(a.policy)) != policyHash) revert WrongPolicy(a.policy);
        bytes32 actual = sha256(output);
        if (actual != a.outputDigest) revert OutputMismatch(a.outputDigest, actual);
        if (output.length != 32) revert BadOutputLength(output.length);
        if (!verdict.verifyAttestation(a, signatures)) revert UnverifiedAttestation(a.jobId);
        jobUsed[a.jobId] = true;
        uint256 score = uint256(bytes32(output));
        bool ok = score <= maxScore;
        approved[subject] = ok;
        emit Decision(subject, a.jobId, score, ok);
        return ok;
    }
}
