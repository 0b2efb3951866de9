package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.verdict.api.v1.ListModelsResponse;
import io.verdict.api.v1.Model;
import io.verdict.api.v1.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;

/** ListModels, every page: one row per model with its latest version. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List the published models: name, latest version, digest, policy, state.")
final class ModelsCommand extends CommandBase {
  /** A guard against a node that keeps answering with a next page. */
  private static final int MAX_PAGES = 1000;

  @Override
  public Integer call() {
    List<Model> models = new ArrayList<>();
    try (NodeClient node = connect()) {
      String token = "";
      for (int page = 0; page < MAX_PAGES; page++) {
        ListModelsResponse response = node.listModels(token);
        models.addAll(response.getModelsList());
        token = response.getNextPageToken();
        if (token.isEmpty()) {
          break;
        }
      }
    }
    if (json()) {
      ArrayNode array = Views.JSON.createArrayNode();
      models.forEach(m -> array.add(Views.modelJson(m)));
      Views.printJson(out(), array);
      return ExitCodes.OK;
    }
    if (models.isEmpty()) {
      out().println("no models are published yet; publish one with: verdict publish DIR --name N --version V");
      out().flush();
      return ExitCodes.OK;
    }
    Table table = new Table("NAME", "LATEST", "DIGEST", "POLICY", "STATE", "VERSIONS");
    for (Model m : models) {
      Optional<ModelVersion> latest = Views.latest(m);
      table.row(m.getName(),
          latest.map(ModelVersion::getVersion).orElse("-"),
          latest.map(ModelVersion::getModelDigest).orElse("-"),
          latest.map(ModelVersion::getAgreementPolicy).orElse("-"),
          latest.map(v -> Views.name(v.getState(), "MODEL_STATE_")).orElse("-"),
          Integer.toString(m.getVersionsCount()));
    }
    table.print(out());
    return ExitCodes.OK;
  }
}
