package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
      out().flush();
    }
    if (!same) {
      throw new CliException(ExitCodes.FAILED, "the node reports digest "
          + published.getModelDigest() + " but this directory's digest is " + local);
    }
    return ExitCodes.OK;
  }
}
