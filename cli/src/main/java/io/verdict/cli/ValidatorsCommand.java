package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.Validator;
import io.verdict.api.v1.ValidatorInfoResponse;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine.Command;

/** ValidatorInfo: the cluster's validator set as the node sees it, and which validators it hosts. */
@Command(name = "validators", mixinStandardHelpOptions = true,
    description = {"The validator set of the current epoch, as the node sees it: each member, the",
        "node it runs on and whether it is live; the validators the node itself hosts are marked."})
final class ValidatorsCommand extends CommandBase {

  @Override
  public Integer call() {
    ValidatorInfoResponse info;
    try (NodeClient node = connect()) {
      info = node.validatorInfo();
    }
    Set<String> hosted = new HashSet<>();
    info.getValidatorsList().forEach(v -> hosted.add(v.getAddress()));
    if (json()) {
      ObjectNode root = Views.JSON.createObjectNode();
      root.put("node", info.getNode());
      root.put("epoch", info.getEpoch());
      root.put("threshold", info.getThreshold());
      root.put("chainId", info.getChainId());
      root.put("anchorContract", info.getAnchorContract());
      ArrayNode members = root.putArray("validators");
      for (Validator v : info.getClusterValidatorsList()) {
        members.addObject()
            .put("address", v.getAddress())
            .put("node", v.getNode())
            .put("state", Views.name(v.getState(), "VALIDATOR_STATE_"))
            .put("hostedHere", hosted.contains(v.getAddress()));
      }
      Views.printJson(out(), root);
      return ExitCodes.OK;
    }
    out().printf("node %s: validator set epoch %d, threshold %d, %d member(s); chain %d, contract %s%n",
        info.getNode(), info.getEpoch(), info.getThreshold(), info.getClusterValidatorsCount(),
        info.getChainId(), info.getAnchorContract());
    Table table = new Table("ADDRESS", "STATE", "NODE", "HERE");
    for (Validator v : info.getClusterValidatorsList()) {
      table.row(v.getAddress(), Views.name(v.getState(), "VALIDATOR_STATE_"),
          v.getNode().isEmpty() ? "-" : v.getNode(), hosted.contains(v.getAddress()) ? "yes" : "");
    }
    table.print(out());
    return ExitCodes.OK;
  }
}
