package io.verdict.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdict.chain.devnet.Devnet;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.quorum.ValidatorSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The calls and errors this module knows agree with the committed VerdictAnchor ABI. */
class AnchorAbiTest {
  private static final JsonNode ABI = abi();

  private static JsonNode abi() {
    try {
      return new ObjectMapper().readTree(Devnet.locateContractsDir()
          .resolve("artifacts").resolve("VerdictAnchor.json").toFile()).get("abi");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> signatures(String kind) {
    Set<String> out = new HashSet<>();
    for (JsonNode entry : ABI) {
      if (entry.path("type").asText().equals(kind)) {
        out.add(entry.get("name").asText() + types(entry.get("inputs")));
      }
    }
    return out;
  }

  private static String types(JsonNode params) {
    List<String> types = new ArrayList<>();
    for (JsonNode p : params) {
      String type = p.get("type").asText();
      types.add(type.startsWith("tuple") ? types(p.get("components")) + type.substring(5) : type);
    }
    return "(" + String.join(",", types) + ")";
  }

  private static String selectorOf(String callData) {
    return callData.substring(0, 10);
  }

  @Test
  void everyCustomErrorOfTheContractIsKnown() {
    Set<String> known = new HashSet<>(RevertReason.SIGNATURES);
    assertThat(known).containsAll(signatures("error"));
  }

  @Test
  void callSelectorsAreThoseOfTheAbi() {
    Set<String> functions = signatures("function");
    Bytes32 x = Bytes32.wrap(new byte[32]);
    Attestation a = new Attestation(new JobId(x), new ContentDigest(x), new ContentDigest(x),
        new ContentDigest(x), PolicyText.of("EXACT"), 1);
    ValidatorSet set = ValidatorSet.of(1, List.of(TestDevnets.validator("a").address()), 1);
    String[][] cases = {
        {"anchor(bytes32,bytes32,uint64)", AnchorAbi.anchor(1, x, 1)},
        {"batchOf(bytes32)", AnchorAbi.batchOf(1)},
        {"thresholdOf(uint64)", AnchorAbi.thresholdOf(1)},
        {"validatorSetDigest(uint64)", AnchorAbi.validatorSetDigest(1)},
        {"registerValidatorSet(uint64,address[],uint256)", AnchorAbi.registerValidatorSet(set)},
        {"verifyInclusion(bytes32,bytes32,bytes32[])", AnchorAbi.verifyInclusion(1, x, List.of())},
        {"verifyAttestation((bytes32,bytes32,bytes32,bytes32,string,uint64),bytes[])",
            AnchorAbi.verifyAttestation(a, List.of())},
    };
    for (String[] c : cases) {
      assertThat(functions).contains(c[0]);
      assertThat(selectorOf(c[1])).as(c[0]).isEqualTo(RevertReason.selector(c[0]));
    }
  }

  @Test
  void theEventTopicIsThatOfTheAbi() {
    assertThat(signatures("event")).contains("ValidatorSetRegistered(uint64,uint256,bytes32,address[])");
  }

  @Test
  void batchIdsAreUint256Words() {
    assertThat(AnchorAbi.batchKey(258).toHex()).isEqualTo("0x" + "0".repeat(60) + "0102");
    assertThat(AnchorAbi.anchor(258, Bytes32.wrap(new byte[32]), 5))
        .isEqualTo(RevertReason.selector("anchor(bytes32,bytes32,uint64)") + "0".repeat(60) + "0102"
            + "0".repeat(64) + "0".repeat(63) + "5");
  }

  @Test
  void revertDataIsDecoded() {
    String root = "11".repeat(32);
    RevertReason r = RevertReason.decode(RevertReason.selector("RootMismatch(bytes32,bytes32,bytes32)")
        + "0".repeat(63) + "4" + root + "22".repeat(32));
    assertThat(r.name()).isEqualTo("RootMismatch");
    assertThat(r.known()).isTrue();
    assertThat(r.args()).containsExactly("0x" + "0".repeat(63) + "4", "0x" + root, "0x" + "22".repeat(32));
    assertThat(RevertReason.decode("0x53ce4ece")).hasToString("EmptyRoot()");
    assertThat(RevertReason.decode(RevertReason.selector("BadThreshold(uint256,uint256)")
        + "0".repeat(63) + "5" + "0".repeat(63) + "3")).hasToString("BadThreshold(5, 3)");
    String error = RevertReason.selector("Error(string)") + "0".repeat(62) + "20" + "0".repeat(63)
        + "2" + "6869" + "0".repeat(60);
    assertThat(RevertReason.decode(error)).hasToString("Error(hi)");
    assertThat(RevertReason.decode("0xdeadbeef").known()).isFalse();
    assertThat(RevertReason.decode("0xdeadbeef").name()).isEqualTo("0xdeadbeef");
    assertThat(RevertReason.decode("0x")).isEqualTo(RevertReason.NO_DATA);
    assertThat(RevertReason.decode("0x0e5e5f6f00").args()).containsExactly("(undecodable arguments)");
    assertThat(RevertReason.decode("nonsense").name()).isEqualTo("(malformed revert data)");
  }
}
