package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobEvent;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** GetJob (status and event history), or WatchJob with {@code --watch}. */
@Command(name = "job", mixinStandardHelpOptions = true,
    description = {"Show a job's status and event history.",
        "With --watch, stream every change until the job is final."})
final class JobCommand extends CommandBase {
  @Parameters(index = "0", paramLabel = "ID", description = "The job id printed by infer.")
  String jobId;

  @Option(names = {"-w", "--watch"},
      description = "Stream every change until the job is final (bounded by --timeout).")
  boolean watch;

  @Override
  public Integer call() {
    return watch ? watch() : show();
  }

  private int show() {
    GetJobResponse response;
    try (NodeClient node = connect()) {
      response = node.getJob(jobId);
    }
    Job job = response.getJob();
    if (json()) {
      ObjectNode n = Views.jobJson(job);
      ArrayNode events = n.putArray("events");
      response.getEventsList().forEach(e -> events.add(Views.eventJson(e)));
      Views.printJson(out(), n);
    } else {
      Views.printJob(out(), job);
      if (response.getEventsCount() > 0) {
        out().println("events");
        for (JobEvent e : response.getEventsList()) {
          out().println("  " + Views.eventText(e));
        }
      }
      out().flush();
    }
    return Views.isFinal(job) ? InferCommand.exitCodeOf(job, err()) : ExitCodes.OK;
  }

  private int watch() {
    AtomicReference<Job> last = new AtomicReference<>();
    try (NodeClient node = connect()) {
      node.watchJob(jobId, view -> {
        last.set(view.getJob());
        if (json()) {
          ObjectNode n = Views.object();
          n.put("status", Views.status(view.getJob()));
          if (view.hasEvent()) {
            n.set("event", Views.eventJson(view.getEvent()));
          }
          n.set("job", Views.jobJson(view.getJob()));
          out().println(n.toString()); // one JSON object per line
        } else if (view.hasEvent()) {
          out().println(Views.eventText(view.getEvent()) + "  -> " + Views.status(view.getJob()));
        } else {
          out().println("job " + view.getJob().getJobId() + " is " + Views.status(view.getJob()));
        }
        out().flush();
      });
    }
    Job job = last.get();
    if (job == null) {
      throw new CliException(ExitCodes.NODE_ERROR, "the node ended the watch without a view of job " + jobId);
    }
    if (!json()) {
      out().println();
      Views.printJob(out(), job);
    }
    return InferCommand.exitCodeOf(job, err());
  }
}
