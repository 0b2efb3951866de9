package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import io.verdict.api.v1.AuditStatusResponse;
import io.verdict.api.v1.AuditedJob;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListJobsRequest;
import io.verdict.api.v1.ListJobsResponse;
import io.verdict.api.v1.ModelHistoryResponse;
import io.verdict.api.v1.ModelVersionRecord;
import io.verdict.api.v1.ProjectionProgress;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The AuditService: jobs by model, requester, state and time; a model's history; projection status. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Query the audit log: who ran what, when, and how it ended; each model's history.",
        "The log follows the journal a few seconds behind."},
    subcommands = {AuditCommand.Jobs.class, AuditCommand.ModelHistory.class, AuditCommand.Status.class})
final class AuditCommand extends CommandBase {

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ExitCodes.USAGE;
  }

  /** What the audit subcommands share: the parent's writers, global options and node client. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand
    AuditCommand audit;

    @Spec
    CommandSpec spec;

    java.io.PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(name = "jobs", mixinStandardHelpOptions = true,
      description = {"List jobs, newest first, matching every filter given.",
          "Times are ISO-8601: 2026-11-22T10:00:00Z, 2026-11-22T10:00 (UTC) or 2026-11-22."})
  static final class Jobs extends Sub {
    @Option(names = "--model", paramLabel = "NAME", description = "Only jobs on this model.")
    String model = "";

    @Option(names = "--version", paramLabel = "V", description = "Only jobs on this version (needs --model).")
    String version = "";

    @Option(names = "--requester", paramLabel = "R", description = "Only jobs of this requester.")
    String requester = "";

    @Option(names = "--status", paramLabel = "S",
        description = "Only jobs in this state: RUNNING, AGREED, DISPUTED or FAILED.")
    String status = "";

    @Option(names = "--from", paramLabel = "ISO", description = "Only jobs accepted at or after this time.")
    String from;

    @Option(names = "--to", paramLabel = "ISO", description = "Only jobs accepted before this time.")
    String to;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
        description = "Jobs per page, 1 to 500 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--page", paramLabel = "TOKEN", description = "The next page, as printed by the previous one.")
    String page = "";

    @Override
    public Integer call() {
      if (limit < 1 || limit > 500) {
        throw CliException.usage("--limit must be between 1 and 500, got " + limit);
      }
      ListJobsRequest.Builder request = ListJobsRequest.newBuilder()
          .setModel(model)
          .setModelVersion(version)
          .setRequester(requester)
          .setStatus(status(status))
          .setPageSize(limit)
          .setPageToken(page);
      if (from != null) {
        request.setAcceptedFrom(timestamp("--from", from));
      }
      if (to != null) {
        request.setAcceptedTo(timestamp("--to", to));
      }
      ListJobsResponse response;
      try (NodeClient node = audit.connect()) {
        response = node.listJobs(request.build());
      }
      if (audit.json()) {
        ObjectNode n = Views.object();
        ArrayNode jobs = n.putArray("jobs");
        response.getJobsList().forEach(j -> jobs.add(jobJson(j)));
        n.put("nextPageToken", response.getNextPageToken());
        Views.printJson(out(), n);
        return ExitCodes.OK;
      }
      if (response.getJobsCount() == 0) {
        out().println("no jobs match");
      } else {
        Table table = new Table("ACCEPTED", "JOB", "MODEL", "REQUESTER", "STATUS", "R/Q", "OUTCOME");
        for (AuditedJob j : response.getJobsList()) {
          table.row(Views.time(j.getAcceptedAt()), j.getJobId(), Views.modelRef(j.getModel()), j.getRequester(),
              statusName(j.getStatus()), j.getR() + "/" + j.getQ(),
              j.getOutputDigest().isEmpty() ? j.getFailureReason() : j.getOutputDigest());
        }
        table.print(out());
      }
      if (!response.getNextPageToken().isEmpty()) {
        out().println("more: add --page " + response.getNextPageToken());
      }
      out().flush();
      return ExitCodes.OK;
    }

    static JobStatus status(String text) {
      return switch (text.strip().toUpperCase(Locale.ROOT)) {
        case "" -> JobStatus.JOB_STATUS_UNSPECIFIED;
        case "RUNNING", "ACCEPTED" -> JobStatus.JOB_STATUS_ACCEPTED;
        case "AGREED" -> JobStatus.JOB_STATUS_AGREED;
        case "DISPUTED" -> JobStatus.JOB_STATUS_DISPUTED;
        case "FAILED" -> JobStatus.JOB_STATUS_FAILED;
        default -> throw CliException.usage("--status is RUNNING, AGREED, DISPUTED or FAILED, got '" + text + "'");
      };
    }

    /** An ISO-8601 instant, date-time with offset, UTC date-time, or UTC date. */
    static Timestamp timestamp(String option, String text) {
      Instant instant;
      try {
        instant = Instant.parse(text);
      } catch (DateTimeException e1) {
        try {
          instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e2) {
          try {
            instant = LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
          } catch (DateTimeException e3) {
            try {
              instant = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeException e4) {
              throw CliException.usage(option + " is an ISO-8601 time such as 2026-11-22T10:00:00Z or "
                  + "2026-11-22, got '" + text + "'");
            }
          }
        }
      }
      return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
  }

  @Command(name = "model", mixinStandardHelpOptions = true,
      description = "A model's history: every version with its digest, policy, publisher, publication and retirement.")
  static final class ModelHistory extends Sub {
    @Parameters(index = "0", paramLabel = "NAME", description = "The model's name.")
    String name;

    @Override
    public Integer call() {
      ModelHistoryResponse response;
      try (NodeClient node = audit.connect()) {
        response = node.modelHistory(name);
      }
      if (audit.json()) {
        ObjectNode n = Views.object();
        n.put("model", response.getModel());
        ArrayNode versions = n.putArray("versions");
        response.getVersionsList().forEach(v -> versions.add(versionJson(v)));
        Views.printJson(out(), n);
        return ExitCodes.OK;
      }
      out().println("model " + response.getModel());
      Table table = new Table("VERSION", "PUBLISHED", "BY", "DIGEST", "POLICY", "STATE", "RETIRED");
      for (ModelVersionRecord v : response.getVersionsList()) {
        table.row(v.getVersion(), Views.time(v.getPublishedAt()), v.getPublishedBy(), v.getModelDigest(),
            v.getAgreementPolicy(), Views.name(v.getState(), "MODEL_STATE_"),
            v.hasRetiredAt() ? Views.time(v.getRetiredAt()) + " (" + v.getRetireReason() + ")" : "-");
      }
      table.print(out());
      out().flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "How far the audit projections have read the journal.")
  static final class Status extends Sub {
    @Override
    public Integer call() {
      AuditStatusResponse response;
      try (NodeClient node = audit.connect()) {
        response = node.auditStatus();
      }
      if (audit.json()) {
        ObjectNode n = Views.object();
        n.put("store", response.getStore());
        ArrayNode projections = n.putArray("projections");
        for (ProjectionProgress p : response.getProjectionsList()) {
          ObjectNode o = projections.addObject();
          o.put("name", p.getName());
          o.put("tag", p.getTag());
          o.put("offset", p.getOffset());
          if (p.hasLastEventAt()) {
            o.put("lastEventAt", Views.time(p.getLastEventAt()));
          }
          o.put("eventsHandled", p.getEventsHandled());
        }
        Views.printJson(out(), n);
        return ExitCodes.OK;
      }
      out().println("store " + response.getStore());
      Table table = new Table("PROJECTION", "TAG", "OFFSET", "LAST EVENT", "EVENTS");
      for (ProjectionProgress p : response.getProjectionsList()) {
        table.row(p.getName(), p.getTag(), p.getOffset().isEmpty() ? "-" : p.getOffset(),
            p.hasLastEventAt() ? Views.time(p.getLastEventAt()) : "-", Long.toString(p.getEventsHandled()));
      }
      table.print(out());
      out().flush();
      return ExitCodes.OK;
    }
  }

  static String statusName(JobStatus status) {
    return status == JobStatus.JOB_STATUS_ACCEPTED ? "RUNNING" : Views.name(status, "JOB_STATUS_");
  }

  static ObjectNode jobJson(AuditedJob j) {
    ObjectNode n = Views.object();
    n.put("jobId", j.getJobId());
    n.put("status", statusName(j.getStatus()));
    ObjectNode model = n.putObject("model");
    model.put("name", j.getModel().getName());
    model.put("version", j.getModel().getVersion());
    model.put("digest", j.getModel().getModelDigest());
    n.put("policy", j.getAgreementPolicy());
    n.put("inputDigest", j.getInputDigest());
    n.put("requester", j.getRequester());
    if (!j.getClientRequestId().isEmpty()) {
      n.put("clientRequestId", j.getClientRequestId());
    }
    n.put("r", j.getR());
    n.put("q", j.getQ());
    n.put("acceptedAt", Views.time(j.getAcceptedAt()));
    if (j.hasFinishedAt()) {
      n.put("finishedAt", Views.time(j.getFinishedAt()));
    }
    if (!j.getOutputDigest().isEmpty()) {
      n.put("outputDigest", j.getOutputDigest());
    }
    if (!j.getFailureReason().isEmpty()) {
      n.put("failureReason", j.getFailureReason());
    }
    return n;
  }

  static ObjectNode versionJson(ModelVersionRecord v) {
    ObjectNode n = Views.object();
    n.put("version", v.getVersion());
    n.put("digest", v.getModelDigest());
    n.put("policy", v.getAgreementPolicy());
    n.put("engine", v.getEngine());
    n.put("publishedBy", v.getPublishedBy());
    n.put("sizeBytes", v.getSizeBytes());
    n.put("publishedAt", Views.time(v.getPublishedAt()));
    n.put("state", Views.name(v.getState(), "MODEL_STATE_"));
    if (v.hasRetiredAt()) {
      n.put("retiredAt", Views.time(v.getRetiredAt()));
      n.put("retireReason", v.getRetireReason());
    }
    return n;
  }
}
