package io.verdict.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.InputLimit;
import io.verdict.api.v1.JobEvent;
import io.verdict.api.v1.Model;
import io.verdict.api.v1.ModelVersion;
import io.verdict.api.v1.ModelVersionRef;
import io.verdict.api.v1.Vote;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.InvalidTensor;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How the CLI shows the node's answers: as text for people, as JSON with {@code --json}. */
final class Views {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Elements shown per tensor in text mode; {@code --json} always has all of them. */
  private static final int SHOWN_ELEMENTS = 16;

  private Views() {}

  static void printJson(PrintWriter out, Object node) {
    try {
      out.println(JSON.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
    out.flush();
  }

  static ObjectNode object() {
    return NODES.objectNode();
  }

  /** The enum constant's name without its type prefix: {@code JOB_STATUS_AGREED} → AGREED. */
  static String name(Enum<?> value, String prefix) {
    String n = value.name();
    return n.startsWith(prefix) ? n.substring(prefix.length()) : n;
  }

  static String status(Job job) {
    return name(job.getStatus(), "JOB_STATUS_");
  }

  static boolean isFinal(Job job) {
    return switch (job.getStatus()) {
      case JOB_STATUS_AGREED, JOB_STATUS_DISPUTED, JOB_STATUS_FAILED -> true;
      default -> false;
    };
  }

  static String time(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }

  static String modelRef(ModelVersionRef ref) {
    if (ref.getName().isEmpty()) {
      return ref.getModelDigest();
    }
    return ref.getName() + "@" + ref.getVersion();
  }

  // ---- tensors ------------------------------------------------------------------------------

  /** A tensor of the API as a checked, canonical tensor. */
  static Tensor tensor(io.verdict.api.v1.Tensor t) {
    int code = t.getDtypeValue();
    if (code <= 0 || code > 127) {
      throw new InvalidTensor("output '" + t.getName() + "' has no valid dtype (" + code + ")");
    }
    long[] dims = t.getShapeList().stream().mapToLong(Long::longValue).toArray();
    return new Tensor(DType.fromCode((byte) code), Shape.of(dims), t.getData().toByteArray());
  }

  /** The elements of {@code t}, row-major, as JSON numbers or booleans. */
  static ArrayNode values(Tensor t) {
    ArrayNode a = NODES.arrayNode();
    switch (t.dtype()) {
      case FLOAT32 -> {
        for (float v : t.toFloats()) {
          a.add(v);
        }
      }
      case FLOAT64 -> {
        for (double v : t.toDoubles()) {
          a.add(v);
        }
      }
      case INT32 -> {
        for (int v : t.toInts()) {
          a.add(v);
        }
      }
      case INT64 -> {
        for (long v : t.toLongs()) {
          a.add(v);
        }
      }
      case BOOL -> {
        for (boolean v : t.toBools()) {
          a.add(v);
        }
      }
      default -> throw new IllegalStateException("unhandled dtype " + t.dtype());
    }
    return a;
  }

  /**
   * For floating outputs whose last axis has several entries (class scores), the index of the
   * largest entry of each row; empty otherwise.
   */
  static Optional<List<Integer>> argmax(Tensor t) {
    if (!t.dtype().isFloating() || t.shape().rank() == 0) {
      return Optional.empty();
    }
    int classes = (int) t.shape().dim(t.shape().rank() - 1);
    if (classes < 2) {
      return Optional.empty();
    }
    double[] v = t.dtype() == DType.FLOAT32 ? floatsAsDoubles(t.toFloats()) : t.toDoubles();
    List<Integer> rows = new ArrayList<>();
    for (int row = 0; row < v.length / classes; row++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (v[row * classes + c] > v[row * classes + best]) {
          best = c;
        }
      }
      rows.add(best);
    }
    return Optional.of(rows);
  }

  private static double[] floatsAsDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  static ObjectNode tensorJson(io.verdict.api.v1.Tensor proto) {
    ObjectNode n = object();
    n.put("name", proto.getName());
    Tensor t = tensor(proto);
    n.put("dtype", t.dtype().name());
    ArrayNode shape = n.putArray("shape");
    for (long d : t.shape().dims()) {
      shape.add(d);
    }
    n.set("data", values(t));
    argmax(t).ifPresent(a -> {
      ArrayNode arr = n.putArray("argmax");
      a.forEach(arr::add);
    });
    return n;
  }

  static String tensorText(io.verdict.api.v1.Tensor proto) {
    Tensor t = tensor(proto);
    ArrayNode values = values(t);
    StringBuilder sb = new StringBuilder();
    sb.append(proto.getName()).append("  ").append(t.dtype()).append(' ')
        .append(InputTensors.shapeText(t.shape().dims())).append("  [");
    for (int i = 0; i < Math.min(values.size(), SHOWN_ELEMENTS); i++) {
      sb.append(i == 0 ? "" : ", ").append(values.get(i).asText());
    }
    if (values.size() > SHOWN_ELEMENTS) {
      sb.append(", ... ").append(values.size() - SHOWN_ELEMENTS).append(" more");
    }
    sb.append(']');
    argmax(t).ifPresent(a -> sb.append("  argmax ")
        .append(a.size() == 1 ? a.get(0).toString() : a.toString()));
    return sb.toString();
  }

  // ---- jobs ---------------------------------------------------------------------------------

  static ObjectNode jobJson(Job job) {
    ObjectNode n = object();
    n.put("jobId", job.getJobId());
    n.put("status", status(job));
    ObjectNode model = n.putObject("model");
    model.put("name", job.getModel().getName());
    model.put("version", job.getModel().getVersion());
    model.put("digest", job.getModel().getModelDigest());
    n.put("policy", job.getAgreementPolicy());
    n.put("inputDigest", job.getInputDigest());
    n.put("outputDigest", job.getOutputDigest());
    ArrayNode outputs = n.putArray("outputs");
    job.getOutputsList().forEach(t -> outputs.add(tensorJson(t)));
    n.put("r", job.getR());
    n.put("q", job.getQ());
    ObjectNode verdict = n.putObject("verdict");
    verdict.put("outcome", name(job.getVerdict().getOutcome(), "VERDICT_OUTCOME_"));
    verdict.put("quorum", job.getVerdict().getQuorum());
    verdict.put("committeeSize", job.getVerdict().getCommitteeSize());
    ArrayNode votes = verdict.putArray("votes");
    for (Vote v : job.getVerdict().getVotesList()) {
      ObjectNode vote = votes.addObject();
      vote.put("validator", v.getValidator());
      vote.put("outputDigest", v.getOutputDigest());
      vote.put("signature", v.getSignature());
      vote.put("equivocated", v.getEquivocated());
    }
    if (!job.getClientRequestId().isEmpty()) {
      n.put("clientRequestId", job.getClientRequestId());
    }
    if (job.hasAcceptedAt()) {
      n.put("acceptedAt", time(job.getAcceptedAt()));
    }
    if (job.hasFinishedAt()) {
      n.put("finishedAt", time(job.getFinishedAt()));
    }
    if (!job.getFailureReason().isEmpty()) {
      n.put("failureReason", job.getFailureReason());
    }
    n.put("hasReceipt", !job.getReceiptJson().isEmpty());
    return n;
  }

  static void printJob(PrintWriter out, Job job) {
    out.println("job       " + job.getJobId());
    out.println("verdict   " + status(job) + signedSummary(job));
    if (!job.getFailureReason().isEmpty()) {
      out.println("reason    " + job.getFailureReason());
    }
    if (job.hasModel()) {
      out.println("model     " + modelRef(job.getModel()) + "  " + job.getModel().getModelDigest());
    }
    if (!job.getAgreementPolicy().isEmpty()) {
      out.println("policy    " + job.getAgreementPolicy());
    }
    if (!job.getInputDigest().isEmpty()) {
      out.println("input     " + job.getInputDigest());
    }
    if (!job.getOutputDigest().isEmpty()) {
      out.println("output    " + job.getOutputDigest());
    }
    if (job.getOutputsCount() > 0) {
      out.println("outputs");
      for (io.verdict.api.v1.Tensor t : job.getOutputsList()) {
        out.println("  " + tensorText(t));
      }
    }
    if (job.getVerdict().getVotesCount() > 0) {
      out.println("signers");
      for (Vote v : job.getVerdict().getVotesList()) {
        String mark = v.getOutputDigest().equals(job.getOutputDigest()) ? "agrees"
            : "other output " + v.getOutputDigest();
        out.println("  " + v.getValidator() + "  " + mark
            + (v.getEquivocated() ? "  EQUIVOCATED" : ""));
      }
    }
    out.flush();
  }

  private static String signedSummary(Job job) {
    if (job.getVerdict().getQuorum() == 0) {
      return "";
    }
    long agreeing = job.getVerdict().getVotesList().stream()
        .filter(v -> !job.getOutputDigest().isEmpty()
            && v.getOutputDigest().equals(job.getOutputDigest()) && !v.getEquivocated())
        .count();
    return String.format("  (%d of %d validators signed the output, quorum %d)", agreeing,
        job.getVerdict().getCommitteeSize(), job.getVerdict().getQuorum());
  }

  static ObjectNode eventJson(JobEvent e) {
    ObjectNode n = object();
    n.put("sequenceNr", e.getSequenceNr());
    if (e.hasTime()) {
      n.put("time", time(e.getTime()));
    }
    n.put("type", name(e.getType(), "JOB_EVENT_TYPE_"));
    if (!e.getValidator().isEmpty()) {
      n.put("validator", e.getValidator());
    }
    if (!e.getOutputDigest().isEmpty()) {
      n.put("outputDigest", e.getOutputDigest());
    }
    if (!e.getDescription().isEmpty()) {
      n.put("description", e.getDescription());
    }
    return n;
  }

  static String eventText(JobEvent e) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%3d  ", e.getSequenceNr()));
    sb.append(e.hasTime() ? time(e.getTime()) : "-").append("  ");
    sb.append(name(e.getType(), "JOB_EVENT_TYPE_"));
    if (!e.getValidator().isEmpty()) {
      sb.append("  ").append(e.getValidator());
    }
    if (!e.getOutputDigest().isEmpty()) {
      sb.append("  ").append(e.getOutputDigest());
    }
    if (!e.getDescription().isEmpty()) {
      sb.append("  ").append(e.getDescription());
    }
    return sb.toString();
  }

  // ---- models -------------------------------------------------------------------------------

  /** The version a bare name resolves to, or else the newest one. */
  static Optional<ModelVersion> latest(Model m) {
    for (ModelVersion v : m.getVersionsList()) {
      if (v.getVersion().equals(m.getLatestVersion())) {
        return Optional.of(v);
      }
    }
    return m.getVersionsCount() == 0 ? Optional.empty()
        : Optional.of(m.getVersions(m.getVersionsCount() - 1));
  }

  static ObjectNode versionJson(ModelVersion v) {
    ObjectNode n = object();
    n.put("version", v.getVersion());
    n.put("digest", v.getModelDigest());
    n.put("policy", v.getAgreementPolicy());
    n.put("state", name(v.getState(), "MODEL_STATE_"));
    n.put("format", name(v.getFormat(), "MODEL_FORMAT_"));
    n.put("sizeBytes", v.getSizeBytes());
    if (v.hasPublishedAt()) {
      n.put("publishedAt", time(v.getPublishedAt()));
    }
    if (!v.getDescription().isEmpty()) {
      n.put("description", v.getDescription());
    }
    if (v.hasRetiredAt()) {
      n.put("retiredAt", time(v.getRetiredAt()));
      n.put("retireReason", v.getRetireReason());
    }
    ObjectNode limits = n.putObject("limits");
    limits.put("maxBatch", v.getMaxBatch());
    ObjectNode shapes = limits.putObject("maxShape");
    for (InputLimit l : v.getInputLimitsList()) {
      ArrayNode dims = shapes.putArray(l.getName());
      l.getMaxShapeList().forEach(dims::add);
    }
    limits.put("maxInputBytes", v.getMaxInputBytes());
    return n;
  }

  /** A version's limits in one line: {@code batch <= 4, input <= 4x64, inputs <= 2.0 KiB}. */
  static String limitsText(ModelVersion v) {
    List<String> parts = new ArrayList<>();
    parts.add(v.getMaxBatch() == 0 ? "batch fixed by the signature" : "batch <= " + v.getMaxBatch());
    for (InputLimit l : v.getInputLimitsList()) {
      parts.add(l.getName() + " <= " + shapeText(l));
    }
    if (v.getMaxInputBytes() > 0) {
      parts.add("inputs <= " + Sizes.text(v.getMaxInputBytes()));
    }
    return String.join(", ", parts);
  }

  static String shapeText(InputLimit l) {
    StringBuilder sb = new StringBuilder();
    for (long d : l.getMaxShapeList()) {
      sb.append(sb.length() == 0 ? "" : "x").append(d);
    }
    return sb.toString();
  }

  static ObjectNode modelJson(Model m) {
    ObjectNode n = object();
    n.put("name", m.getName());
    n.put("latestVersion", m.getLatestVersion());
    ArrayNode versions = n.putArray("versions");
    m.getVersionsList().forEach(v -> versions.add(versionJson(v)));
    return n;
  }
}
