package io.verdict.benchmarks;

import io.verdict.verification.Address;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.quorum.JobClaim;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.ValidatorSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Fixtures shared by the benchmarks. */
final class Benchmarks {

    private Benchmarks() {}

    /** A validator set of {@code size} fresh keys, all on one job's committee. */
    static final class Committee {
        private final List<ValidatorKey> keys = new ArrayList<>();
        private final AttestationDomain domain =
                new AttestationDomain(31337, Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
        private final ValidatorSet validatorSet;
        private final Attestation attestation;

        Committee(int size) {
            SecureRandom random = new SecureRandom();
            List<ValidatorAddress> members = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                ValidatorKey key = ValidatorKey.generate(random);
                keys.add(key);
                members.add(key.address());
            }
            validatorSet = ValidatorSet.of(1, members, 1);
            attestation = new Attestation(
                    JobId.of(sha("job")),
                    ContentDigest.of("model".getBytes(StandardCharsets.UTF_8)),
                    ContentDigest.of("input".getBytes(StandardCharsets.UTF_8)),
                    agreedOutput(),
                    PolicyText.of("EXACT"),
                    1);
        }

        List<ValidatorKey> keys() {
            return keys;
        }

        int size() {
            return keys.size();
        }

        AttestationDomain domain() {
            return domain;
        }

        Attestation attestation() {
            return attestation;
        }

        ContentDigest agreedOutput() {
            return ContentDigest.of("output".getBytes(StandardCharsets.UTF_8));
        }

        ContentDigest dissentingOutput() {
            return ContentDigest.of("wrong output".getBytes(StandardCharsets.UTF_8));
        }

        Vote vote(int member, ContentDigest output) {
            return Vote.sign(keys.get(member), domain, attestation.withOutputDigest(output));
        }

        QuorumTally openTally(int quorum) {
            return QuorumTally.open(domain, validatorSet, JobClaim.of(attestation),
                    validatorSet.members(), quorum);
        }
    }

    static byte[] sha(String text) {
        return ContentDigest.of(text.getBytes(StandardCharsets.UTF_8)).value().bytes();
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
