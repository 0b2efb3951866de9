package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.InputLimit;
import io.verdict.api.v1.ModelFormat;
import io.verdict.api.v1.ModelVersion;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelResponse;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelArtifactException;
import io.verdict.inference.model.ModelDigest;
import io.verdict.persistence.models.ModelStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * PublishModel: zips the directory deterministically, computes the model digest locally, and
 * streams a header and then the archive in chunks. The node recomputes the digest and refuses a
 * mismatch, so a model cannot change between this machine and the cluster unnoticed.
 */
@Command(name = "publish",
    description = {"Publish a model directory as a new model version.",
        "The directory is zipped deterministically, its model digest computed here, and",
        "the archive streamed to the node, which recomputes the digest and refuses a mismatch."})
final class PublishCommand extends CommandBase {
  static final int CHUNK_SIZE = 256 * 1024;

  // --version names the model version here, so only --help is mixed in
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Parameters(index = "0", paramLabel = "DIR",
      description = "The model directory (a TensorFlow SavedModel, or an ONNX model directory).")
  Path dir;

  @Option(names = "--name", required = true, paramLabel = "NAME",
      description = "Model name: 1-64 of [a-z0-9._-], starting with a letter or digit.")
  String name;

  @Option(names = "--version", required = true, paramLabel = "VERSION",
      description = "Version label, unique within the model: 1-64 of [A-Za-z0-9._-].")
  String version;

  @Option(names = "--policy", defaultValue = "EXACT", paramLabel = "POLICY",
      description = "Agreement policy: EXACT, QUANTIZED(step), ARGMAX or TOPK(k) (default: ${DEFAULT-VALUE}).")
  String policy;

  @Option(names = "--format", defaultValue = "tensorflow", paramLabel = "FORMAT",
      description = "tensorflow (SavedModel) or onnx (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--description", defaultValue = "", paramLabel = "TEXT",
      description = "Free text shown in listings.")
  String description;

  @Option(names = "--max-batch", defaultValue = "0", paramLabel = "N",
      description = {"Largest batch a job may send (dimension 0 of every input whose dimension 0 is",
          "variable): 1 to 65536; 0 means the node's default, 256."})
  int maxBatch;

  @Option(names = "--max-shape", paramLabel = "NAME=DxD...",
      description = {"Upper bound of each dimension of one input, e.g. input=8x64 (repeatable).",
          "A fixed dimension's bound must equal it."})
  List<String> maxShapes = new ArrayList<>();

  @Option(names = "--max-input-bytes", defaultValue = "0", paramLabel = "SIZE",
      description = {"Largest total size of one job's inputs, e.g. 65536, 64k, 1m; at most the",
          "node's own limit; 0 means that limit."})
  String maxInputBytes;

  @Override
  public Integer call() {
    if (!Files.isDirectory(dir)) {
      throw CliException.usage(dir + " is not a directory");
    }
    ModelFormat modelFormat = switch (format.toLowerCase(Locale.ROOT)) {
      case "tensorflow", "saved_model", "savedmodel" -> ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL;
      case "onnx" -> ModelFormat.MODEL_FORMAT_ONNX;
      default -> throw CliException.usage("unknown --format '" + format + "' (tensorflow or onnx)");
    };
    if (maxBatch < 0 || maxBatch > 65536) {
      throw CliException.usage("--max-batch must be 0 (the default) or 1 to 65536, got " + maxBatch);
    }
    List<InputLimit> inputLimits = new ArrayList<>();
    for (String shape : maxShapes) {
      inputLimits.add(inputLimit(shape));
    }
    long inputBytes;
    try {
      inputBytes = Sizes.parse(maxInputBytes);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--max-input-bytes: " + e.getMessage());
    }
    Path zip = null;
    try {
      zip = Files.createTempFile("verdict-publish-", ".zip");
      ArtifactManifest manifest;
      try (OutputStream out = Files.newOutputStream(zip)) {
        manifest = ModelStore.zip(dir, out);
      }
      ModelDigest digest = manifest.digest();
      long size = Files.size(zip);
      int files = manifest.entries().size();
      err().println("zipped " + files + (files == 1 ? " file" : " files") + " of " + dir + " into "
          + Sizes.text(size) + "; model digest " + digest);
      err().flush();
      PublishModelHeader header = PublishModelHeader.newBuilder()
          .setName(name)
          .setVersion(version)
          .setModelDigest(digest.toString())
          .setAgreementPolicy(policy)
          .setTotalSize(size)
          .setFormat(modelFormat)
          .setDescription(description)
          .setMaxBatch(maxBatch)
          .addAllInputLimits(inputLimits)
          .setMaxInputBytes(inputBytes)
          .build();
      PublishModelResponse response;
      Progress progress = null;
      try (NodeClient node = connect()) {
        progress = new Progress(err(), Progress.stderrIsTerminal(), size, "uploaded");
        response = node.publish(header, zip, CHUNK_SIZE, progress::update);
      } catch (RuntimeException e) {
        if (progress != null) {
          progress.abort();
        }
        throw e;
      }
      progress.done(size);
      return report(response, digest);
    } catch (ModelArtifactException e) {
      throw CliException.usage("cannot publish " + dir + ": " + e.getMessage());
    } catch (IOException e) {
      throw CliException.usage("cannot zip " + dir + ": " + e.getMessage());
    } finally {
      if (zip != null) {
        try {
          Files.deleteIfExists(zip);
        } catch (IOException e) {
          err().println("warning: could not delete " + zip);
        }
      }
    }
  }

  /** {@code NAME=DxDxD} as an input limit; a usage error names what is wrong. */
  static InputLimit inputLimit(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0 || eq == text.length() - 1) {
      throw CliException.usage("--max-shape must look like NAME=DxD (e.g. input=8x64), got '" + text + "'");
    }
    InputLimit.Builder limit = InputLimit.newBuilder().setName(text.substring(0, eq));
    for (String dim : text.substring(eq + 1).split("[xX]", -1)) {
      long bound;
      try {
        bound = Long.parseLong(dim.strip());
      } catch (NumberFormatException e) {
        throw CliException.usage("--max-shape " + text + ": '" + dim + "' is not a dimension bound");
      }
      if (bound < 1) {
        throw CliException.usage("--max-shape " + text + ": bounds are at least 1, got " + bound);
      }
      limit.addMaxShape(bound);
    }
    return limit.build();
  }

  private int report(PublishModelResponse response, ModelDigest local) {
    ModelVersion published = response.getPublished();
    boolean same = published.getModelDigest().equals(local.toString());
    if (json()) {
      ObjectNode n = Views.object();
      n.put("name", response.getModel().getName());
      n.setAll(Views.versionJson(published));
      n.put("localDigest", local.toString());
      n.put("digestMatches", same);
      Views.printJson(out(), n);
    } else {
      out().println("published " + response.getModel().getName() + "@" + published.getVersion());
      out().println("digest    " + published.getModelDigest());
      out().println("policy    " + published.getAgreementPolicy());
      out().println("state     " + Views.name(published.getState(), "MODEL_STATE_"));
      out().println("size      " + Sizes.text(published.getSizeBytes()));
      out().println("limits    " + Views.limitsText(published));
      out().flush();
    }
    if (!same) {
      throw new CliException(ExitCodes.FAILED, "the node reports digest "
          + published.getModelDigest() + " but this directory's digest is " + local);
    }
    return ExitCodes.OK;
  }
}
