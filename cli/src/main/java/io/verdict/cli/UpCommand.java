package io.verdict.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Listed so that {@code verdict --help} shows it; the ./verdict script starts the node itself
 * (a different main class and classpath), so reaching this class means it was run another way.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {
        "Start a node in this terminal (handled by the ./verdict script).",
        "The node serves the Open Inference Protocol and Verdict's service on one gRPC port",
        "and publishes the demo models mlp and cnn on first start.",
        "Node options: --data-dir DIR (default ./data, env VERDICT_DATA_DIR),",
        "--host HOST (default 127.0.0.1), --port N (default 50051, env VERDICT_GRPC_PORT;",
        "0 = any free port), --cluster-port N (default 25520), --validators N (default 3),",
        "--journal h2|cassandra, --cassandra HOST:PORT, --local-cassandra (start one),",
        "--seed-nodes HOST:PORT,... (join a cluster), --nodes N (N node JVMs on one",
        "Cassandra journal: ports PORT.., CLUSTER_PORT.., data DIR/node-1..)."})
final class UpCommand extends CommandBase {
  @Unmatched
  List<String> nodeOptions;

  @Override
  public Integer call() {
    throw CliException.usage("'up' starts a node and is handled by the ./verdict script at the "
        + "root of the repository: run ./verdict up");
  }
}
