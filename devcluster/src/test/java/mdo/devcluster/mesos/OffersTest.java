package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.commandTask;
import static mdo.devcluster.mesos.MesosHarness.framework;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.Predicate;
import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Offer accounting as the allocator keeps it: filters from DECLINE and from what an ACCEPT left unused (5 s by
 * default), SUPPRESS and REVIVE, offers that never overlap, UPDATE_FRAMEWORK, and the state endpoint's view of it.
 * The allocator runs every 50 ms here, so "no offer within a second" is twenty allocation cycles without one.
 */
class OffersTest {
  private static final Predicate<Event> OFFERS = e -> e.getType() == Event.Type.OFFERS;
  private static final Duration TWENTY_CYCLES = Duration.ofSeconds(1);
  static MesosHarness h;
  TestScheduler s;

  @BeforeAll
  static void start() {
    h = MesosHarness.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @AfterEach
  void disconnect() {
    // The next test's framework gets offers only once this one's are rescinded.
    if (s != null) s.close();
  }

  @Test
  void aDeclineWithAFilterHidesTheResourcesUntilRevive() {
    s = h.subscribe(framework("decliner").build());
    assertThat(s.decline(s.offer(), 3600).code()).isEqualTo(202);
    assertThat(s.arrives(OFFERS, TWENTY_CYCLES)).isFalse();
    assertThat(s.post(s.newCall(Call.Type.REVIVE).build()).code()).isEqualTo(202);
    assertThat(Resources.of(s.offer().getResourcesList()).scalar("cpus")).isEqualTo(4.0);
  }

  @Test
  void aDeclineWithoutAFilterOffersTheSameResourcesAgain() {
    s = h.subscribe(framework("refuse-zero").build());
    Offer first = s.offer();
    s.decline(first, 0);
    Offer again = s.offer();
    assertThat(again.getId()).isNotEqualTo(first.getId());
    assertThat(Resources.of(again.getResourcesList())).isEqualTo(Resources.of(first.getResourcesList()));
    // Declining an offer that is gone is ignored.
    assertThat(s.decline(first, 0).code()).isEqualTo(202);
  }

  @Test
  void whatAnAcceptLeavesUnusedIsFilteredForFiveSecondsByDefault() {
    s = h.subscribe(framework("default-filter").build());
    Offer offer = s.offer();
    s.accept(offer, null, commandTask(offer, "small", "exec sleep 30", 0.5, 64).build());
    // The filter started when the master took the ACCEPT, before it answered: this second is inside its five.
    assertThat(s.arrives(OFFERS, TWENTY_CYCLES)).isFalse();
    s.ackUpdate("small", TaskState.TASK_STARTING);
    s.ackUpdate("small", TaskState.TASK_RUNNING);
    Offer rest = s.offer();
    assertThat(Resources.of(rest.getResourcesList()).scalar("cpus")).isEqualTo(3.5);
    s.kill("small", null);
    s.ackUpdate("small", TaskState.TASK_KILLING);
    s.ackUpdate("small", TaskState.TASK_KILLED);
  }

  @Test
  void suppressStopsOffersWithoutRescindingAndReviveBringsThemBack() {
    s = h.subscribe(framework("suppressor").build());
    Offer held = s.offer();
    assertThat(s.post(s.newCall(Call.Type.SUPPRESS).setSuppress(Call.Suppress.newBuilder().addRoles("mdo")).build())
        .code()).isEqualTo(202);
    assertThat(s.arrives(e -> e.getType() == Event.Type.RESCIND, TWENTY_CYCLES)).isFalse();
    s.decline(held, 0);
    assertThat(s.arrives(OFFERS, TWENTY_CYCLES)).isFalse();
    // A role the framework did not subscribe with makes the master drop the whole call, silently.
    assertThat(s.post(s.newCall(Call.Type.REVIVE).setRevive(Call.Revive.newBuilder().addRoles("mdo")
        .addRoles("other")).build()).code()).isEqualTo(202);
    assertThat(s.arrives(OFFERS, TWENTY_CYCLES)).isFalse();
    s.post(s.newCall(Call.Type.REVIVE).setRevive(Call.Revive.newBuilder().addRoles("mdo")).build());
    assertThat(s.offer().getAllocationInfo().getRole()).isEqualTo("mdo");
  }

  @Test
  void aSubscriptionThatSuppressesItsRolesGetsNoOffers() throws Exception {
    Call subscribe = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
        .setFrameworkInfo(framework("idle").setFailoverTimeout(0)).addSuppressedRoles("mdo")).build();
    try (var response = TestScheduler.open(h.url, subscribe, false, h.http)) {
      assertThat(response.code()).isEqualTo(200);
      var in = response.body().byteStream();
      assertThat(parse(TestScheduler.readRecord(in)).getType()).isEqualTo(Event.Type.SUBSCRIBED);
      long end = System.nanoTime() + TWENTY_CYCLES.toNanos();
      while (System.nanoTime() < end) {
        assertThat(parse(TestScheduler.readRecord(in)).getType()).isEqualTo(Event.Type.HEARTBEAT);
      }
    }
  }

  private static Event parse(byte[] record) {
    try {
      return Event.parseFrom(record);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void updateFrameworkChangesWhatMayChangeAndRefusesThePrincipal() throws Exception {
    s = h.subscribe(framework("updatable").build());
    FrameworkInfo renamed = s.info.toBuilder().setName("renamed").addRoles("extra").build();
    Call update = s.newCall(Call.Type.UPDATE_FRAMEWORK).setUpdateFramework(Call.UpdateFramework.newBuilder()
        .setFrameworkInfo(renamed)).build();
    assertThat(s.post(update).code()).isEqualTo(200);
    JsonNode state = FailoverTest.state(h, h.url);
    assertThat(state.path("frameworks").findValuesAsText("name")).contains("renamed");

    Call principal = s.newCall(Call.Type.UPDATE_FRAMEWORK).setUpdateFramework(Call.UpdateFramework.newBuilder()
        .setFrameworkInfo(renamed.toBuilder().setPrincipal("someone-else"))).build();
    assertThat(s.post(principal)).isEqualTo(new TestScheduler.Reply(400,
        "FrameworkInfo update is not valid: Changing framework's principal is not allowed.", null));
    Call otherId = update.toBuilder().setFrameworkId(org.apache.mesos.v1.Protos.FrameworkID.newBuilder()
        .setValue("x")).build();
    assertThat(s.post(otherId)).isEqualTo(new TestScheduler.Reply(400,
        "Failed to validate scheduler::Call: 'framework_id' differs from 'update_framework.framework_info.id'", null));
  }

  @Test
  void theStateEndpointShowsFrameworksTasksAndTheAgentsResources() throws Exception {
    s = h.subscribe(framework("visible").build());
    Offer offer = s.offer();
    s.accept(offer, Filters.newBuilder().setRefuseSeconds(0).build(),
        commandTask(offer, "shown", "exec sleep 30", 1, 256).build());
    s.ackUpdate("shown", TaskState.TASK_STARTING);
    s.ackUpdate("shown", TaskState.TASK_RUNNING);
    JsonNode state = FailoverTest.state(h, h.url);
    assertThat(state.path("version").asText()).isEqualTo("1.11.0");
    JsonNode agent = state.path("slaves").path(0);
    assertThat(agent.path("resources").path("cpus").asDouble()).isEqualTo(4.0);
    assertThat(agent.path("used_resources").path("cpus").asDouble()).isEqualTo(1.0);
    assertThat(agent.path("resources").path("ports").asText()).isEqualTo("[37000-37099]");
    JsonNode framework = null;
    for (JsonNode f : state.path("frameworks")) {
      if (f.path("id").asText().equals(s.frameworkId.getValue())) framework = f;
    }
    assertThat(framework).isNotNull();
    assertThat(framework.path("connected").asBoolean()).isTrue();
    assertThat(framework.path("tasks").path(0).path("id").asText()).isEqualTo("shown");
    assertThat(framework.path("tasks").path(0).path("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(framework.path("tasks").path(0).path("resources").path("mem").asDouble()).isEqualTo(256.0);
    s.kill("shown", null);
    s.ackUpdate("shown", TaskState.TASK_KILLING);
    s.ackUpdate("shown", TaskState.TASK_KILLED);
  }
}
