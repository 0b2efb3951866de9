package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.ListModelsResponse;
import io.verdict.api.v1.Model;
import io.verdict.api.v1.ModelVersion;
import io.verdict.api.v1.RetireModelResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * ListModels, every page: one row per model with its latest version; {@code show} is GetModel
 * (every version of one model), {@code retire} is RetireModel.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = {"List the published models: name, latest version, digest, policy, state.",
        "'models show NAME' lists every version of one model; 'models retire NAME@VERSION' retires one."},
    subcommands = {ModelsCommand.Show.class, ModelsCommand.Retire.class})
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

  /** What the models subcommands share: the parent's writers, global options and node client. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand
    ModelsCommand models;

    @Spec
    CommandSpec spec;

    java.io.PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"Every version of one model: digest, format, policy, limits, state,",
          "when it was published and, if retired, when and why."})
  static final class Show extends Sub {
    @Parameters(index = "0", paramLabel = "NAME", description = "The model's name (or a model digest).")
    String name;

    @Override
    public Integer call() {
      Model model;
      try (NodeClient node = models.connect()) {
        model = node.getModel(name).getModel();
      }
      if (models.json()) {
        Views.printJson(out(), Views.modelJson(model));
        return ExitCodes.OK;
      }
      out().println("model " + model.getName() + "  latest "
          + (model.getLatestVersion().isEmpty() ? "- (every version is retired)" : model.getLatestVersion()));
      Table table = new Table("VERSION", "STATE", "FORMAT", "DIGEST", "POLICY", "MAX BATCH", "MAX SHAPE",
          "MAX INPUT", "PUBLISHED", "RETIRED");
      for (ModelVersion v : model.getVersionsList()) {
        String shapes = v.getInputLimitsCount() == 0 ? "-" : v.getInputLimitsList().stream()
            .map(l -> l.getName() + "=" + Views.shapeText(l)).collect(Collectors.joining(","));
        table.row(v.getVersion(), Views.name(v.getState(), "MODEL_STATE_"), format(v), v.getModelDigest(),
            v.getAgreementPolicy(), v.getMaxBatch() == 0 ? "fixed" : Integer.toString(v.getMaxBatch()), shapes,
            v.getMaxInputBytes() == 0 ? "-" : Sizes.text(v.getMaxInputBytes()),
            v.hasPublishedAt() ? Views.time(v.getPublishedAt()) : "-",
            v.hasRetiredAt() ? Views.time(v.getRetiredAt())
                + (v.getRetireReason().isEmpty() ? "" : " (" + v.getRetireReason() + ")") : "-");
      }
      table.print(out());
      return ExitCodes.OK;
    }

    private static String format(ModelVersion v) {
      return switch (v.getFormat()) {
        case MODEL_FORMAT_ONNX -> "onnx";
        case MODEL_FORMAT_TENSORFLOW_SAVED_MODEL -> "tensorflow";
        default -> "-";
      };
    }
  }

  @Command(name = "retire", mixinStandardHelpOptions = true,
      description = {"Retire one version: new jobs naming it (by name@version or digest) are refused;",
          "a bare name moves to the newest version still available. Past jobs and receipts stay.",
          "Retirement cannot be undone."})
  static final class Retire extends Sub {
    @Parameters(index = "0", paramLabel = "NAME@VERSION", description = "The version to retire.")
    String ref;

    @Option(names = "--reason", defaultValue = "", paramLabel = "TEXT",
        description = "Why (at most 1024 characters), shown with the version from now on.")
    String reason;

    @Override
    public Integer call() {
      int at = ref.indexOf('@');
      if (at <= 0 || at == ref.length() - 1) {
        throw CliException.usage("name the version to retire as NAME@VERSION, got '" + ref + "'");
      }
      RetireModelResponse response;
      try (NodeClient node = models.connect()) {
        response = node.retireModel(ref, reason);
      }
      ModelVersion retired = response.getRetired();
      if (models.json()) {
        ObjectNode n = Views.object();
        n.put("name", response.getModel().getName());
        n.setAll(Views.versionJson(retired));
        n.put("latestVersion", response.getModel().getLatestVersion());
        Views.printJson(out(), n);
        return ExitCodes.OK;
      }
      out().println("retired   " + response.getModel().getName() + "@" + retired.getVersion());
      out().println("digest    " + retired.getModelDigest());
      out().println("at        " + Views.time(retired.getRetiredAt()));
      if (!retired.getRetireReason().isEmpty()) {
        out().println("reason    " + retired.getRetireReason());
      }
      out().println("latest    " + (response.getModel().getLatestVersion().isEmpty()
          ? "- (no version of " + response.getModel().getName() + " is available any more)"
          : response.getModel().getName() + "@" + response.getModel().getLatestVersion()));
      out().flush();
      return ExitCodes.OK;
    }
  }
}
