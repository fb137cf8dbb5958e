package mdo.marathon;

import static mdo.marathon.Fixtures.status;
import static mdo.marathon.Fixtures.uuid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.cluster.TaskObservation;
import mdo.config.MarathonSettings;
import mdo.marathon.MarathonClusterView.ReceivedEvent;
import mdo.marathon.events.MarathonEvents;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.registry.store.EtcdRegistryStore;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import mdo.testkit.EtcdServer;
import mdo.testkit.MarathonSimulation;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryWriterTest {
  private static final AtomicInteger ENVS = new AtomicInteger();
  private static final String V1 = "2026-01-01T00:00:00.000Z";

  private final String env = "w" + ENVS.incrementAndGet();
  private final String appId = "/" + env + "/web";
  private final MarathonSimulation marathon = new MarathonSimulation().start();
  private final Client etcd = Etcd.client(EtcdSettings.of(EtcdServer.shared().endpoint()));
  private final MarathonClusterView view =
      new MarathonClusterView(new MarathonClient(MarathonSettings.of(marathon.url())), env);
  private final RegistryWriter writer = newWriter();

  /** A writer as a (re)started subscriber has it: nothing in memory. */
  private RegistryWriter newWriter() {
    return new RegistryWriter(env, new EtcdRegistryStore(etcd.getKVClient(), Duration.ofSeconds(5)), view,
        Duration.ofSeconds(5), null);
  }

  @AfterEach
  void tearDown() {
    writer.close();
    etcd.close();
    marathon.close();
  }

  private String task(int n) {
    return env + "_web." + uuid(n);
  }

  private String at(int second) {
    return String.format("2026-01-01T00:00:%02d.000Z", second);
  }

  /** Events as the subscriber applies them: translated by the view, then written; true when a refresh is due. */
  private boolean apply(String... events) {
    List<ReceivedEvent> batch = new ArrayList<>();
    for (String e : events) batch.add(new ReceivedEvent(MarathonEvents.parse(e), System.nanoTime()));
    MarathonClusterView.Translation t = view.observations(appId, batch, new RegistryWriter.Observer() {});
    return writer.apply(t.observations()) | t.refresh();
  }

  /** Every key of the environment but the ordinal claims. */
  private Map<String, KeyValue> stored() throws Exception {
    Map<String, KeyValue> out = new LinkedHashMap<>();
    for (KeyValue kv : etcd.getKVClient().get(Etcd.bytes("/mdo/" + env + "/"), GetOption.builder().isPrefix(true).build())
        .get(5, TimeUnit.SECONDS).getKvs()) {
      if (!kv.getKey().toString().startsWith(RegistryKeys.ordinals(env))) out.put(kv.getKey().toString(), kv);
    }
    return out;
  }

  /** Ordinal claims: claim key to the task id holding it. */
  private Map<String, String> claims() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyValue kv : etcd.getKVClient().get(Etcd.bytes(RegistryKeys.ordinals(env)), GetOption.builder().isPrefix(true)
        .build()).get(5, TimeUnit.SECONDS).getKvs()) {
      out.put(kv.getKey().toString(), kv.getValue().toString());
    }
    return out;
  }

  private InstanceRecord record(String taskId) throws Exception {
    KeyValue kv = stored().get(RegistryKeys.instance(env, "web", taskId));
    return kv == null ? null : RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, "test");
  }

  @Test
  void runningTaskIsRegisteredWithPortsNamedFromItsAppVersion() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31005), V1));
    InstanceRecord r = record(task(1));
    assertThat(r.service()).isEqualTo("web");
    assertThat(r.ordinal()).isZero();
    assertThat(r.host()).isEqualTo("srv4.hw.ca1.mesosphere.com");
    assertThat(r.ports()).containsExactly(Map.entry("web", new PortMapping(31005, 80, "tcp")));
    assertThat(r.labels()).containsEntry("team", "storage").containsEntry("MDO_SERVICE", "web");
    assertThat(r.state()).isEqualTo("TASK_RUNNING");
    assertThat(r.healthy()).isNull(); // the app has no health checks
    assertThat(r.appId()).isEqualTo(appId);
    assertThat(r.appVersion()).isEqualTo(V1);
    assertThat(r.agentId()).isEqualTo("20150707-153709-201330860-5050-12052-S0");
    assertThat(r.eventTimestamp()).isEqualTo(at(1));
  }

  @Test
  void hostPortsAreMatchedOnlyToMappingsThatHaveOne() throws Exception {
    // container network: "web" has no host port, "metrics" has one, so the task's ports list is [metrics' host port]
    ObjectNode app = Fixtures.app("networking-1.4-vs-1.5/user-net-new.json", env, "web", V1);
    ((com.fasterxml.jackson.databind.node.ArrayNode) app.path("container").path("portMappings")).addObject()
        .put("containerPort", 9090).put("hostPort", 0).put("protocol", "tcp").put("name", "metrics");
    marathon.putApp(app);
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31009), V1));
    assertThat(record(task(1)).ports()).containsExactly(Map.entry("metrics", new PortMapping(31009, 9090, "tcp")));
  }

  @Test
  void portsAreNamedFromTheVersionTheTaskRunsNotTheCurrentOne() throws Exception {
    ObjectNode old = Fixtures.bridgeApp(env, "web", V1);
    ((ObjectNode) old.path("container").path("portMappings").get(0)).put("name", "http");
    marathon.putApp(old);
    marathon.putApp(Fixtures.bridgeApp(env, "web", "2026-02-01T00:00:00.000Z")); // now current, port named "web"
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31005), V1));
    assertThat(record(task(1)).ports()).containsOnlyKeys("http");
    assertThat(marathon.requests()).contains("GET /v2/apps/" + env + "/web/versions/2026-01-01T00%3A00%3A00.000Z HTTP/1.1");
  }

  @Test
  void terminalStatesDeleteAndALateOlderEventDoesNotBringTheTaskBack() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31005), V1));
    apply(status(appId, task(1), "TASK_KILLED", at(3), List.of(31005), V1));
    assertThat(stored()).isEmpty();
    apply(status(appId, task(1), "TASK_RUNNING", at(2), List.of(31005), V1)); // delivered out of order
    assertThat(stored()).isEmpty();
  }

  @Test
  void everyTerminalStateDeletes() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    int n = 0;
    for (String state : TaskObservation.TERMINAL_STATES) {
      n++;
      apply(status(appId, task(n), "TASK_RUNNING", at(1), List.of(31000 + n), V1));
      assertThat(record(task(n))).isNotNull();
      apply(status(appId, task(n), state, at(2), List.of(31000 + n), V1));
      assertThat(record(task(n))).as(state).isNull();
    }
  }

  @Test
  void duplicateEventsWriteOnceAndOlderEventsDoNotRegress() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    String running = status(appId, task(1), "TASK_RUNNING", at(5), List.of(31005), V1);
    apply(running);
    long revision = stored().values().iterator().next().getModRevision();
    apply(running, running);
    apply(status(appId, task(1), "TASK_STAGING", at(4), List.of(31005), V1));
    assertThat(stored().values().iterator().next().getModRevision()).isEqualTo(revision);
    assertThat(record(task(1)).state()).isEqualTo("TASK_RUNNING");
  }

  @Test
  void killingAndUnhealthyKillMarkDrainingUnreachableMarksUnhealthyWithoutDeleting() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31001), V1),
        status(appId, task(2), "TASK_RUNNING", at(1), List.of(31002), V1),
        status(appId, task(3), "TASK_RUNNING", at(1), List.of(31003), V1));
    apply(status(appId, task(1), "TASK_KILLING", at(2), List.of(31001), V1));
    ObjectNode kill = Payloads.marathonJson("events/unhealthy_task_kill_event.json");
    kill.put("appId", appId).put("taskId", task(2)).put("timestamp", at(2));
    apply(kill.toString());
    apply(status(appId, task(3), "TASK_UNREACHABLE", at(2), List.of(31003), V1));
    assertThat(record(task(1)).draining()).isTrue();
    assertThat(record(task(1)).ready()).isFalse();
    assertThat(record(task(2)).draining()).isTrue();
    assertThat(record(task(2)).healthy()).isFalse();
    assertThat(record(task(3)).state()).isEqualTo("TASK_UNREACHABLE");
    assertThat(record(task(3)).healthy()).isFalse();
    assertThat(record(task(3)).draining()).isFalse();
  }

  @Test
  void instanceConditionsOf14MarkDrainingUnhealthyOrDelete() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    String[] ids = new String[4];
    for (int i = 1; i <= 3; i++) {
      ids[i] = env + "_web.instance-" + uuid(i) + "._app.1";
      apply(status(appId, ids[i], "TASK_RUNNING", at(1), List.of(31000 + i), V1));
    }
    String[] conditions = {null, "Killing", "Unreachable", "Killed"};
    for (int i = 1; i <= 3; i++) {
      ObjectNode e = Payloads.marathonJson("events/instance_changed_event.json");
      e.put("runSpecId", appId).put("instanceId", env + "_web.instance-" + uuid(i)).put("condition", conditions[i])
          .put("timestamp", at(2));
      apply(e.toString());
    }
    assertThat(record(ids[1]).draining()).isTrue();
    assertThat(record(ids[2]).healthy()).isFalse();
    assertThat(record(ids[2]).draining()).isFalse();
    assertThat(record(ids[3])).isNull();
  }

  private String instanceChanged(String instanceId, String condition, String timestamp) {
    ObjectNode e = Payloads.marathonJson("events/instance_changed_event.json");
    e.put("runSpecId", appId).put("instanceId", instanceId).put("condition", condition).put("timestamp", timestamp);
    return e.toString();
  }

  /**
   * Plain Marathon 1.8+ (no task_killing): an instance it is about to kill gets an instance_changed_event for the goal
   * change, with the condition it already had, and stays TASK_RUNNING until TASK_KILLED. It drains from that event on,
   * through later TASK_RUNNING updates and resyncs, until it is gone.
   */
  @Test
  void aRunningInstanceReportedRunningAgainIsBeingStoppedBy18() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    String instance = env + "_web.instance-" + uuid(1);
    String t = instance + "._app.1";
    apply(instanceChanged(instance, "Provisioned", at(1)),
        status(appId, t, "TASK_RUNNING", at(2), List.of(31001), V1), instanceChanged(instance, "Running", at(2)));
    assertThat(record(t).draining()).isFalse();

    apply(instanceChanged(instance, "Running", at(3)));
    assertThat(record(t).draining()).isTrue();
    apply(status(appId, t, "TASK_RUNNING", at(4), List.of(31001), V1)); // e.g. a Mesos health check result
    assertThat(record(t).draining()).isTrue();
    marathon.putTask(Fixtures.task(appId, t, "10.0.0.1", List.of(31001), V1, "TASK_RUNNING"));
    writer.resync(false);
    assertThat(record(t).draining()).as("a listing keeps it").isTrue();

    apply(status(appId, t, "TASK_KILLED", at(5), List.of(31001), V1));
    assertThat(record(t)).isNull();
  }

  /**
   * Any release: a scale through the API (what updater and launcher send) runs a deployment step that kills the
   * instances Marathon picks, by default the youngest; they drain from the step's start (deployment_info) on.
   */
  @Test
  void aScaleDownStepMarksTheInstancesMarathonWillKill() throws Exception {
    ObjectNode app = Fixtures.bridgeApp(env, "web", V1).put("instances", 1);
    app.putArray("deployments").addObject().put("id", "dep-1");
    marathon.putApp(app);
    marathon.putTask(Fixtures.task(appId, task(1), "10.0.0.1", List.of(31001), V1, "TASK_RUNNING")
        .put("startedAt", "2026-01-01T00:00:01.000Z"));
    marathon.putTask(Fixtures.task(appId, task(2), "10.0.0.2", List.of(31002), V1, "TASK_RUNNING")
        .put("startedAt", "2026-01-01T00:00:09.000Z"));
    writer.resync(false);
    assertThat(record(task(2)).draining()).isFalse();

    ObjectNode step = Payloads.marathonJson("events/deployment_info.json");
    step.put("timestamp", at(10));
    ((ObjectNode) step.path("currentStep").path("actions").get(0)).put("type", "ScaleApplication").put("app", appId);
    assertThat(apply(step.toString())).as("the app is re-read").isTrue();
    writer.refreshApp(appId);
    assertThat(record(task(2)).draining()).as("a kill with scale=true names its own victim: nobody to mark").isFalse();

    ObjectNode update = Payloads.marathonJson("events/api_post_event.json");
    update.put("timestamp", at(10));
    update.set("appDefinition", app);
    apply(update.toString());
    writer.refreshApp(appId);
    assertThat(record(task(2)).draining()).as("the youngest goes").isTrue();
    assertThat(record(task(1)).draining()).isFalse();

    apply(status(appId, task(2), "TASK_KILLED", at(12), List.of(31002), V1));
    assertThat(record(task(2))).isNull();
  }

  @Test
  void oneAliveCheckOfSeveralAsksForARefreshInsteadOfDeclaringHealth() throws Exception {
    ObjectNode app = Fixtures.bridgeApp(env, "web", V1);
    // the 1.4 docs' app with two Marathon health checks
    app.set("healthChecks", Fixtures.JSON.readTree(mdo.testkit.Payloads.withoutComments(
        mdo.testkit.Payloads.marathon("app_get_response.1.4.jsonc"))).path("app").path("healthChecks"));
    marathon.putApp(app);
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31001), V1));
    ObjectNode alive = Payloads.marathonJson("events/health_status_changed_event.json");
    alive.put("appId", appId).put("instanceId", env + "_web.marathon-" + uuid(1)).put("alive", true)
        .put("timestamp", at(2));
    assertThat(apply(alive.toString())).isTrue();
    assertThat(record(task(1)).healthy()).isFalse();
  }

  @Test
  void taskLostMarksUnhealthyAndAsksForARefresh() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31001), V1));
    assertThat(apply(status(appId, task(1), "TASK_LOST", at(2), List.of(31001), V1))).isTrue();
    assertThat(record(task(1)).healthy()).isFalse();
  }

  @Test
  void healthEventsOfEveryVersionSetTheHealthFlag() throws Exception {
    ObjectNode app = Fixtures.bridgeApp(env, "web", V1);
    app.set("healthChecks", Payloads.marathonJson("apps_post_request.json").path("healthChecks"));
    marathon.putApp(app);
    String t18 = env + "_web.instance-" + uuid(7) + "._app.1";
    apply(status(appId, t18, "TASK_RUNNING", at(1), List.of(31001), V1));
    assertThat(record(t18).healthy()).isFalse(); // health checks exist, none passed yet
    ObjectNode health = Payloads.marathonJson("events/instance_health_changed_event.json");
    health.put("runSpecId", appId).put("instanceId", env + "_web.instance-" + uuid(7)).put("timestamp", at(2));
    apply(health.toString());
    assertThat(record(t18).healthy()).isTrue();
    ObjectNode old = Payloads.marathonJson("events/health_status_changed_event.pre-1.4.json"); // <= 1.3: taskId
    old.put("appId", appId).put("taskId", t18).put("alive", false).put("timestamp", at(3));
    apply(old.toString());
    assertThat(record(t18).healthy()).isFalse();
  }

  @Test
  void ordinalsAreLowestFreeReusedByReplacementsAndKeptAcrossA18Relaunch() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    String a = env + "_web.instance-" + uuid(1) + "._app.1";
    String b = env + "_web.instance-" + uuid(2) + "._app.1";
    String c = env + "_web.instance-" + uuid(3) + "._app.1";
    apply(status(appId, a, "TASK_RUNNING", at(1), List.of(31001), V1),
        status(appId, b, "TASK_RUNNING", at(1), List.of(31002), V1),
        status(appId, c, "TASK_RUNNING", at(1), List.of(31003), V1));
    assertThat(List.of(record(a).ordinal(), record(b).ordinal(), record(c).ordinal())).containsExactly(0, 1, 2);
    // b is replaced by a new instance: it takes the freed ordinal
    apply(status(appId, b, "TASK_FAILED", at(2), List.of(31002), V1));
    String d = env + "_web.instance-" + uuid(4) + "._app.1";
    apply(status(appId, d, "TASK_RUNNING", at(3), List.of(31004), V1));
    assertThat(record(d).ordinal()).isEqualTo(1);
    // c is relaunched (same instance, incarnation 2): it keeps ordinal 2 although the lower 1 is free too
    apply(status(appId, d, "TASK_FAILED", at(4), List.of(31004), V1));
    apply(status(appId, c, "TASK_FAILED", at(4), List.of(31003), V1));
    String c2 = c.substring(0, c.length() - 1) + "2";
    apply(status(appId, c2, "TASK_RUNNING", at(5), List.of(31005), V1));
    assertThat(record(c2).ordinal()).isEqualTo(2);
    // a relaunch reported before the old incarnation's end takes over its key and ordinal
    String a2 = a.substring(0, a.length() - 1) + "2";
    apply(status(appId, a2, "TASK_RUNNING", at(6), List.of(31006), V1));
    assertThat(record(a)).isNull();
    assertThat(record(a2).ordinal()).isZero();
    // every record holds the claim of its ordinal in etcd, and nothing else does
    assertThat(claims()).containsOnly(Map.entry(RegistryKeys.ordinal(env, "web", 0), a2),
        Map.entry(RegistryKeys.ordinal(env, "web", 2), c2));
  }

  /**
   * Tasks Marathon 1.7 started ({@code <safe>.<uuid>}, or with the {@code _} separator) that 1.8+ relaunches get their
   * old id with {@code .1} appended: the relaunch takes over the old task's key and ordinal, as 1.8's own relaunches
   * do.
   */
  @Test
  void aTaskStartedBy17AndRelaunchedBy18KeepsItsOrdinal() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    String a = env + "_web." + uuid(1);
    String b = env + "_web_" + uuid(2);
    String c = env + "_web." + uuid(3);
    apply(status(appId, a, "TASK_RUNNING", at(1), List.of(31001), V1),
        status(appId, b, "TASK_RUNNING", at(1), List.of(31002), V1),
        status(appId, c, "TASK_RUNNING", at(1), List.of(31003), V1));
    assertThat(List.of(record(a).ordinal(), record(b).ordinal(), record(c).ordinal())).containsExactly(0, 1, 2);

    // reported before the old task's end: takes over its key and ordinal
    apply(status(appId, a + ".1", "TASK_RUNNING", at(2), List.of(31004), V1),
        status(appId, b + ".1", "TASK_RUNNING", at(2), List.of(31005), V1));
    assertThat(record(a)).isNull();
    assertThat(record(b)).isNull();
    assertThat(record(a + ".1").ordinal()).isZero();
    assertThat(record(b + ".1").ordinal()).isEqualTo(1);
    assertThat(record(b + ".1").instanceId()).isEqualTo(env + "_web.marathon-" + uuid(2));

    // and again: the second relaunch of the same instance
    apply(status(appId, a + ".2", "TASK_RUNNING", at(3), List.of(31006), V1));
    assertThat(record(a + ".1")).isNull();
    assertThat(record(a + ".2").ordinal()).isZero();
    assertThat(stored().keySet()).hasSize(3);
  }

  @Test
  void eventsOfAppsWithoutOurLabelsAreIgnored() throws Exception {
    ObjectNode other = Fixtures.bridgeApp("otherenv", "web", V1);
    other.put("id", appId);
    marathon.putApp(other);
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31005), V1));
    assertThat(stored()).isEmpty();
  }

  @Test
  void resyncWritesTheDifferenceAndNothingWhenInStep() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    for (int i = 1; i <= 3; i++) marathon.putTask(Fixtures.task(appId, task(i), "10.0.0." + i, List.of(31000 + i), V1, "TASK_RUNNING"));
    ResyncResult first = writer.resync(false);
    assertThat(first.created()).isEqualTo(3);
    assertThat(stored()).hasSize(3);
    assertThat(record(task(2)).ports()).containsEntry("web", new PortMapping(31002, 80, "tcp"));
    ResyncResult second = writer.resync(false);
    assertThat(second.writes()).isZero();
    assertThat(second.ok()).isTrue();
    marathon.removeTask(task(2)); // an end the subscriber never heard of
    ResyncResult third = writer.resync(false);
    assertThat(third.deleted()).isEqualTo(1);
    assertThat(record(task(2))).isNull();
    marathon.putTask(Fixtures.task(appId, task(4), "10.0.0.4", List.of(31004), V1, "TASK_RUNNING"));
    writer.resync(false);
    assertThat(record(task(4)).ordinal()).isEqualTo(1); // the freed ordinal
  }

  @Test
  void anAppScaledDownWhileNoWriterRanIsReconciledByTheFirstResync() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    for (int i = 1; i <= 3; i++) marathon.putTask(Fixtures.task(appId, task(i), "h", List.of(31000 + i), V1, "TASK_RUNNING"));
    writer.resync(false);
    writer.close(); // the subscriber stops; the app is scaled from 3 to 1 meanwhile
    marathon.removeTask(task(2));
    marathon.removeTask(task(3));
    try (RegistryWriter restarted = newWriter()) {
      ResyncResult r = restarted.resync(false);
      assertThat(r.deleted()).isEqualTo(2);
      assertThat(r.ok()).isTrue();
    }
    assertThat(stored()).containsOnlyKeys(RegistryKeys.instance(env, "web", task(1)));
    assertThat(claims()).containsOnly(Map.entry(RegistryKeys.ordinal(env, "web", record(task(1)).ordinal()), task(1)));
  }

  @Test
  void anEmptyListingDeletesOnlyTheAppsMarathonConfirmsGone() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    marathon.putApp(Fixtures.bridgeApp(env, "db", V1));
    for (int i = 1; i <= 4; i++) marathon.putTask(Fixtures.task(appId, task(i), "h", List.of(31000 + i), V1, "TASK_RUNNING"));
    String db = "/" + env + "/db";
    marathon.putTask(Fixtures.task(db, env + "_db." + uuid(9), "h", List.of(31009), V1, "TASK_RUNNING"));
    writer.resync(false);
    assertThat(stored()).hasSize(5);
    assertThat(claims()).hasSize(5);

    marathon.omitFromListing(appId); // Marathon's listing leaves web out, yet GET /v2/apps/<web> has it
    marathon.removeApp(db); // db is really gone: 404
    ResyncResult r = writer.resync(false);
    assertThat(r.deleted()).isEqualTo(1);
    assertThat(r.refused()).singleElement().satisfies(refused -> {
      assertThat(refused.appId()).isEqualTo(appId);
      assertThat(refused.records()).isEqualTo(4);
      assertThat(refused.reason()).contains("Marathon has it when asked for it alone");
    });
    assertThat(stored()).hasSize(4);
    assertThat(claims()).hasSize(4);
    assertThat(marathon.requests()).contains("GET /v2/apps/" + env + "/web HTTP/1.1", "GET /v2/apps/" + env + "/db HTTP/1.1");
  }

  @Test
  void resyncFailsWithoutWritingWhenMarathonErrs() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    marathon.putTask(Fixtures.task(appId, task(1), "h", List.of(31001), V1, "TASK_RUNNING"));
    writer.resync(false);
    marathon.failRest(503);
    ResyncResult failed = writer.resync(false);
    assertThat(failed.error()).startsWith("Marathon");
    assertThat(stored()).hasSize(1);
  }

  @Test
  void resyncTouchesOnlyInstanceKeysOfItsOwnEnvironment() throws Exception {
    var kv = etcd.getKVClient();
    kv.put(Etcd.bytes("/mdo/" + env + "/callbacks/web/r1"), Etcd.bytes("{}")).get();
    kv.put(Etcd.bytes("/mdo/" + env + "/services/web/config"), Etcd.bytes("x")).get();
    kv.put(Etcd.bytes("/mdo/" + env + "x/services/web/instances/t1"), Etcd.bytes("{}")).get();
    kv.put(Etcd.bytes("/mdo/" + env + "/services/web/instances/garbage"), Etcd.bytes("not json")).get();
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    for (int i = 1; i <= 3; i++) marathon.putTask(Fixtures.task(appId, task(i), "h", List.of(31000 + i), V1, "TASK_RUNNING"));
    writer.resync(false);
    assertThat(stored()).containsKeys("/mdo/" + env + "/callbacks/web/r1", "/mdo/" + env + "/services/web/config")
        .doesNotContainKeys("/mdo/" + env + "/services/web/instances/garbage");

    assertThat(kv.get(Etcd.bytes("/mdo/" + env + "x/services/web/instances/t1")).get().getKvs()).hasSize(1);
  }

  @Test
  void aKeyChangedBehindTheWritersBackIsNotOverwritten() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31001), V1));
    String key = RegistryKeys.instance(env, "web", task(1));
    InstanceRecord mine = record(task(1));
    InstanceRecord theirs = new InstanceRecord(mine.service(), mine.taskId(), mine.instanceId(), mine.ordinal(),
        mine.host(), mine.ports(), mine.labels(), "TASK_RUNNING", true, false, mine.appId(), mine.appVersion(),
        mine.agentId(), mine.startedAt(), at(1));
    etcd.getKVClient().put(Etcd.bytes(key), ByteSequence.from(RegistryJson.write(theirs))).get();
    boolean refresh = apply(status(appId, task(1), "TASK_KILLING", at(2), List.of(31001), V1));
    assertThat(refresh).isTrue(); // the compare-and-swap failed: the app is re-read instead
    assertThat(record(task(1)).healthy()).isTrue();
  }

  @Test
  void resyncReadsARegistryLargerThanOneGrpcMessage() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    // records as a real service has them (named ports, labels; ~750 bytes): 10,000 are ~7.5 MB, past gRPC's 4 MiB
    Map<String, String> fixture = mdo.testkit.RegistryFixture.records(env, "web", 0, 10_000);
    mdo.testkit.RegistryFixture.putAll(EtcdServer.shared().endpoint(), fixture);
    for (int i = 0; i < 7_500; i++) {
      marathon.putTask(Fixtures.task(appId, mdo.testkit.RegistryFixture.taskId(env, "web", i), "h", List.of(31000 + i % 1000), V1,
          "TASK_RUNNING"));
    }
    ResyncResult r = writer.resync(false); // 2,500 vanished silently
    assertThat(r.failure()).isNull();
    assertThat(r.records()).isEqualTo(10_000);
    assertThat(r.deleted()).isEqualTo(2_500);
    assertThat(r.claims()).isEqualTo(7_500); // written before claims: resync claims them
    assertThat(etcd.getKVClient().get(Etcd.bytes(RegistryKeys.instances(env, "web")), GetOption.builder().isPrefix(true)
        .withCountOnly(true).build()).get(10, TimeUnit.SECONDS).getCount()).isEqualTo(7_500);
  }

  @Test
  void refreshOfAnAppMarathonNoLongerHasRemovesItsRecords() throws Exception {
    marathon.putApp(Fixtures.bridgeApp(env, "web", V1));
    apply(status(appId, task(1), "TASK_RUNNING", at(1), List.of(31001), V1),
        status(appId, task(2), "TASK_RUNNING", at(1), List.of(31002), V1));
    marathon.removeApp(appId);
    ResyncResult r = writer.refreshApp(appId);
    assertThat(r.deleted()).isEqualTo(2);
    assertThat(stored()).isEmpty();
  }
}
