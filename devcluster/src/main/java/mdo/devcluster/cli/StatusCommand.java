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
    String mesosState = Helpers.get(url + "/master/state", auth);
    if (mesosState != null) {
      printMesos(url, Json.MAPPER.readTree(mesosState));
      return 0;
    }
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

  /** The Mesos mode: the agent and each framework with its tasks by state. */
  private static void printMesos(String url, JsonNode state) {
    System.out.println("mesos master: " + url + " (version " + state.path("version").asText() + ")");
    for (JsonNode agent : state.path("slaves")) {
      JsonNode total = agent.path("resources");
      JsonNode used = agent.path("used_resources");
      System.out.printf("agent: %s %s cpus %s/%s mem %s/%s MB ports %s%n", agent.path("id").asText(),
          agent.path("active").asBoolean() ? "active" : "unreachable", used.path("cpus").asText(),
          total.path("cpus").asText(), used.path("mem").asText(), total.path("mem").asText(),
          total.path("ports").asText());
    }
    JsonNode frameworks = state.path("frameworks");
    if (frameworks.isEmpty()) System.out.println("frameworks: none");
    for (JsonNode framework : frameworks) {
      java.util.Map<String, Integer> states = new java.util.TreeMap<>();
      for (JsonNode task : framework.path("tasks")) states.merge(task.path("state").asText(), 1, Integer::sum);
      System.out.printf("framework: %s %s %s tasks %d%s%n", framework.path("id").asText(),
          framework.path("name").asText(), framework.path("connected").asBoolean() ? "connected" : "disconnected",
          framework.path("tasks").size(), states.isEmpty() ? "" : " " + states);
    }
  }
}
