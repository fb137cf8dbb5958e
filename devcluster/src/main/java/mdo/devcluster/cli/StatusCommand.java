package mdo.devcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import mdo.devcluster.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code devcluster status}: what runs from a state dir, and the apps the API reports. Exit 0 when it is up. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Print what the dev cluster runs.")
public final class StatusCommand implements Callable<Integer> {
  @Option(names = "--state-dir", description = "the state dir `up` used (default .mdo/devcluster under the repository)")
  String stateDir;

  @Option(names = "--auth", paramLabel = "USER:PASSWORD", defaultValue = "${env:" + UpCommand.AUTH_ENV + "}",
      description = "credentials, if `up` was given --auth; default from $" + UpCommand.AUTH_ENV)
  String auth;

  @Override
  public Integer call() throws Exception {
    if (auth != null && auth.isBlank()) auth = null;
    Path state = stateDir == null ? Helpers.defaultStateDir() : Helpers.fromCaller(stateDir);
    boolean up = false;
    for (String name : List.of("devcluster", "etcd", "subscriber")) {
      Optional<ProcessHandle> process = PidFile.in(state, name).process();
      if (process.isPresent()) {
        System.out.println(name + ": running (pid " + process.get().pid() + ")");
        up |= name.equals("devcluster");
      } else if (name.equals("devcluster")) {
        System.out.println(name + ": not running (state dir " + state + ")");
      }
    }
    Path urlFile = state.resolve("devcluster.url");
    if (!up || !Files.exists(urlFile)) return up ? 0 : 1;
    String url = Files.readString(urlFile).trim();
    String apps = Helpers.get(url + "/v2/apps", auth);
    if (apps == null) {
      System.out.println("api: " + url + " does not answer" + (auth == null ? " (needs --auth?)" : ""));
      return 1;
    }
    System.out.println("api: " + url);
    JsonNode list = Json.MAPPER.readTree(apps).path("apps");
    if (list.isEmpty()) System.out.println("apps: none");
    for (JsonNode app : list) {
      System.out.printf("app: %s instances %d running %d healthy %d staged %d%s%n", app.path("id").asText(),
          app.path("instances").asInt(), app.path("tasksRunning").asInt(), app.path("tasksHealthy").asInt(),
          app.path("tasksStaged").asInt(), app.path("deployments").isEmpty() ? "" : " (deploying)");
    }
    String queue = Helpers.get(url + "/v2/queue", auth);
    if (queue != null) {
      for (JsonNode entry : Json.MAPPER.readTree(queue).path("queue")) System.out.println(waiting(entry));
    }
    return 0;
  }

  /** One queue entry: how many instances wait, and why the last offer was declined (or how long the backoff is). */
  private static String waiting(JsonNode entry) {
    String why = null;
    for (JsonNode step : entry.path("processedOffersSummary").path("rejectSummaryLastOffers")) {
      if (step.path("declined").asInt() > 0) why = "offer declined: " + step.path("reason").asText();
    }
    if (!entry.path("delay").path("overdue").asBoolean(true)) {
      why = "backing off " + entry.path("delay").path("timeLeftSeconds").asLong() + " s";
    }
    return "waiting: " + entry.path("app").path("id").asText() + " " + entry.path("count").asInt() + " instance(s)"
        + (why == null ? "" : " (" + why + ")");
  }
}
