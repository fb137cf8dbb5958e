package mdo.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static mdo.mesos.StubMasters.settings;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.cluster.ServiceDefinition;
import mdo.framework.desired.DesiredService;
import mdo.framework.desired.ServicePorts;
import mdo.command.Failure;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.framework.tasks.MesosTaskId;
import mdo.framework.tasks.OfferedResources;
import mdo.framework.tasks.TaskInfoBuilder;
import mdo.mesos.ConnectionStatus.State;
import mdo.mesos.StubMaster.Received;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/** Transcripts of a scheduler connection against the strict stub master: what is sent, what is heard, what is refused. */
class SchedulerConnectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension final StubMasters stubs = new StubMasters();
  private final ListenerRecorder recorder = new ListenerRecorder();


  @Test
  void subscribesThenSendsTheStreamIdAndFrameworkIdOnEveryCallInTheRecordedShapes() throws Exception {
    StubMaster master = stubs.master();
    InMemoryFrameworkIdStore ids = new InMemoryFrameworkIdStore();
    SchedulerConnection connection = stubs.connect(settings(master.base()), ids, recorder);

    Received subscribe = master.next();
    assertThat(subscribe.path()).isEqualTo("/api/v1/scheduler");
    assertThat(subscribe.headers().values("Content-Type")).containsExactly("application/x-protobuf");
    assertThat(subscribe.headers().values("Accept")).containsExactly("application/x-protobuf");
    assertThat(subscribe.streamId()).isNull();
    assertThat(subscribe.status()).isEqualTo(200);
    Call call = subscribe.call();
    assertThat(call.getType()).isEqualTo(Call.Type.SUBSCRIBE);
    assertThat(call.hasFrameworkId()).isFalse();
    FrameworkInfo info = call.getSubscribe().getFrameworkInfo();
    assertThat(info.hasId()).isFalse();
    assertThat(info.getUser()).isEqualTo(System.getProperty("user.name"));
    assertThat(info.getName()).isEqualTo("mdo");
    assertThat(info.getFailoverTimeout()).isEqualTo(7 * 24 * 3600.0);
    assertThat(info.getCheckpoint()).isTrue();
    assertThat(info.getRolesList()).containsExactly("*");
    assertThat(info.getCapabilitiesList()).extracting(FrameworkInfo.Capability::getType)
        .containsExactly(FrameworkInfo.Capability.Type.MULTI_ROLE, FrameworkInfo.Capability.Type.PARTITION_AWARE);
    assertThat(shape(call)).containsAll(shape(MesosPayloads.call("subscribe_call.json")).stream()
        .filter(p -> p.startsWith("subscribe.framework_info") || p.equals("type")).toList());

    Event subscribed = recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(subscribed.getSubscribed().getFrameworkId().getValue()).isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    assertThat(ids.load()).contains(MesosPayloads.RECORDED_FRAMEWORK_ID);
    assertThat(connection.status().state()).isEqualTo(State.SUBSCRIBED);
    assertThat(connection.status().frameworkId()).isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    String streamId = master.streamId();

    master.emit(MesosPayloads.offers());
    Offer offer = recorder.nextEvent(Event.Type.OFFERS).getOffers().getOffers(0);
    connection.decline(List.of(offer.getId()), 3600);
    Received decline = master.next(Call.Type.DECLINE);
    assertThat(decline.status()).isEqualTo(202);
    assertThat(decline.streamId()).isEqualTo(streamId);
    assertThat(decline.call().getFrameworkId().getValue()).isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    assertThat(decline.call().getDecline().getOfferIds(0)).isEqualTo(offer.getId());
    assertThat(decline.call().getDecline().getFilters().getRefuseSeconds()).isEqualTo(3600.0);
    assertThat(shape(decline.call())).isEqualTo(shape(MesosPayloads.call("decline_call.json")));

    master.emit(MesosPayloads.update());
    TaskStatus status = recorder.nextEvent(Event.Type.UPDATE).getUpdate().getStatus();
    connection.acknowledge(status);
    Received ack = master.next(Call.Type.ACKNOWLEDGE);
    assertThat(ack.status()).isEqualTo(202);
    assertThat(ack.streamId()).isEqualTo(streamId);
    assertThat(ack.call().getAcknowledge().getUuid()).isEqualTo(status.getUuid());
    assertThat(ack.call().getAcknowledge().getAgentId()).isEqualTo(status.getAgentId());
    assertThat(shape(ack.call())).isEqualTo(shape(MesosPayloads.call("acknowledge_call.json")));

    connection.kill(status.getTaskId(), status.getAgentId());
    assertThat(shape(master.next(Call.Type.KILL).call())).isEqualTo(shape(MesosPayloads.call("kill_call.json")));
    connection.reconcile(List.of(Call.Reconcile.Task.newBuilder().setTaskId(status.getTaskId())
        .setAgentId(status.getAgentId()).build()));
    assertThat(shape(master.next(Call.Type.RECONCILE).call()))
        .isEqualTo(shape(MesosPayloads.call("reconcile_call.json")));
    connection.suppress();
    assertThat(master.next(Call.Type.SUPPRESS).call().getSuppress().getRolesList()).containsExactly("*");
    connection.revive();
    assertThat(master.next(Call.Type.REVIVE).call().getRevive().getRolesList()).containsExactly("*");
    connection.teardown();
    Received teardown = master.next(Call.Type.TEARDOWN);
    assertThat(teardown.status()).isEqualTo(202);
    assertThat(shape(teardown.call())).isEqualTo(shape(MesosPayloads.call("teardown_call.json")));
    assertThat(master.received()).filteredOn(r -> r.call() != null && r.call().getType() != Call.Type.SUBSCRIBE)
        .allSatisfy(r -> assertThat(r.streamId()).isEqualTo(streamId));
  }

  @Test
  void anOfferIsAcceptedWithALaunchBuiltFromItInTheRecordedAcceptShape() throws Exception {
    StubMaster master = stubs.master();
    SchedulerConnection connection = stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    master.emit(Event.newBuilder().setType(Event.Type.OFFERS)
        .setOffers(Event.Offers.newBuilder().addOffers(MesosPayloads.offerWithAgentResources())).build());
    Offer offer = recorder.nextEvent(Event.Type.OFFERS).getOffers().getOffers(0);
    MdoConfig config = ConfigLoader.parse(Path.of("config.yaml"), """
        environment: prod
        services:
          worker: {cmd: "sleep 1000", ports: {http: 8000}, cpus: 1, mem: 128}
        """, Map.of());
    ServiceDefinition worker = ServiceDefinition.of(config, config.service("worker"));
    TaskInfo task = TaskInfoBuilder.build(new DesiredService(worker, "2026-12-01T10:00:00.000Z",
        "2026-12-01T10:00:00.000Z", "deployment", ServicePorts.assign(worker, List.of(), List.of())),
        MesosTaskId.newInstance("prod", "worker"), new OfferedResources(List.of(offer)));
    connection.accept(List.of(offer.getId()), List.of(Offer.Operation.newBuilder().setType(Offer.Operation.Type.LAUNCH)
        .setLaunch(Offer.Operation.Launch.newBuilder().addTaskInfos(task)).build()), 5);

    Received accept = master.next(Call.Type.ACCEPT);
    assertThat(accept.status()).isEqualTo(202);
    assertThat(accept.streamId()).isEqualTo(master.streamId());
    assertThat(accept.call().getAccept().getOfferIdsList()).containsExactly(offer.getId());
    assertThat(accept.call().getAccept().getOperations(0).getLaunch().getTaskInfos(0)).isEqualTo(task);
    // the recorded ACCEPT runs its task with a custom executor; a task has a command or an executor, never both
    List<String> recorded = shape(MesosPayloads.acceptCall()).stream().filter(p -> !p.contains(".executor.")).toList();
    assertThat(shape(accept.call())).containsAll(recorded);
  }

  @Test
  void anOffersEventOfAFiveThousandAgentClusterArrivesWhole() throws Exception {
    StubMaster master = stubs.master();
    stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    Offer recorded = MesosPayloads.offerWithAgentResources();
    Event.Offers.Builder offers = Event.Offers.newBuilder();
    for (int i = 0; i < 5000; i++) {
      offers.addOffers(recorded.toBuilder().setId(recorded.getId().toBuilder().setValue("O-" + i))
          .setAgentId(recorded.getAgentId().toBuilder().setValue("S-" + i)).setHostname("agent-" + i));
    }
    Event big = Event.newBuilder().setType(Event.Type.OFFERS).setOffers(offers).build();
    assertThat(big.getSerializedSize()).isGreaterThan(1 << 20); // one record, many HTTP chunks and reads
    master.emit(big);
    master.emit(MesosPayloads.event("rescind_event.json"));
    assertThat(recorder.nextEvent(Event.Type.OFFERS)).isEqualTo(big);
    recorder.nextEvent(Event.Type.RESCIND);
  }

  @Test
  void resubscribesWithTheStoredFrameworkIdInBothPlacesTheMasterCompares() throws Exception {
    StubMaster master = stubs.master();
    stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(MesosPayloads.RECORDED_FRAMEWORK_ID), recorder);
    Call subscribe = master.next().call();
    assertThat(subscribe.getFrameworkId().getValue()).isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    assertThat(subscribe.getSubscribe().getFrameworkInfo().getId()).isEqualTo(subscribe.getFrameworkId());
    recorder.nextEvent(Event.Type.SUBSCRIBED);
  }

  @Test
  void aSuppressIsRestatedInTheNextSubscribe() throws Exception {
    StubMaster master = stubs.master();
    SchedulerConnection connection = stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(master.next().call().getSubscribe().getSuppressedRolesList()).isEmpty();
    connection.suppress();
    master.dropStream();
    assertThat(recorder.nextDisconnect()).contains("ended the stream");
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(master.next(Call.Type.SUBSCRIBE).call().getSubscribe().getSuppressedRolesList()).containsExactly("*");
  }

  @Test
  void aLostStreamIsResubscribedAtOnceAndLaterCallsCarryTheNewStreamId() throws Exception {
    StubMaster master = stubs.master();
    SchedulerConnection connection = stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(master.next().call().hasFrameworkId()).isFalse();
    String first = master.streamId();
    master.dropStream();
    assertThat(recorder.nextDisconnect()).isEqualTo("disconnected: the master ended the stream");
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    Received again = master.next(Call.Type.SUBSCRIBE);
    assertThat(again.call().getFrameworkId().getValue()).isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    assertThat(again.streamId()).isNull();
    String second = master.streamId();
    assertThat(second).isNotEqualTo(first);
    connection.revive();
    assertThat(master.next(Call.Type.REVIVE).streamId()).isEqualTo(second);
    assertThat(connection.status().subscriptions()).isEqualTo(2);
  }

  @Test
  void callsWithoutAStreamIdOrWithAStaleOneAreRefusedAsTheMasterRefusesThem() throws Exception {
    StubMaster master = stubs.master();
    InMemoryFrameworkIdStore ids = new InMemoryFrameworkIdStore();
    SchedulerConnection old = stubs.connect(settings(master.base()), ids, recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    String staleId = master.streamId();

    Call kill = Call.newBuilder().setType(Call.Type.KILL).setFrameworkId(MesosPayloads.call("kill_call.json")
        .getFrameworkId().toBuilder().setValue(MesosPayloads.RECORDED_FRAMEWORK_ID))
        .setKill(MesosPayloads.call("kill_call.json").getKill()).build();
    try (Response response = post(master.base() + "/api/v1/scheduler", kill, null)) {
      assertThat(response.code()).isEqualTo(400);
      assertThat(response.body().string())
          .isEqualTo("All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    }

    // A second scheduler takes the framework over while the old one's stream is partitioned: the old one still
    // believes it is subscribed, and its calls carry a stream id the master no longer knows.
    StubMaster.Stream partitioned = master.stallStream();
    ListenerRecorder successor = new ListenerRecorder();
    SchedulerConnection next = stubs.connect(settings(master.base()), ids, successor);
    successor.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(master.streamId()).isNotEqualTo(staleId);
    assertThatThrownBy(() -> old.kill(kill.getKill().getTaskId(), kill.getKill().getAgentId()))
        .isInstanceOfSatisfying(MesosCallRejectedException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.callType()).isEqualTo(Call.Type.KILL);
          assertThat(e.masterMessage()).isEqualTo("The stream ID '" + staleId + "' included in this request didn't"
              + " match the stream ID currently associated with framework ID " + MesosPayloads.RECORDED_FRAMEWORK_ID);
        });

    // The partition heals: the old scheduler reads "Framework failed over" and stops for good.
    master.resumeStream(partitioned);
    assertThat(recorder.nextEvent(Event.Type.ERROR).getError().getMessage()).isEqualTo("Framework failed over");
    SubscriptionRefusedException failure = recorder.nextFailure();
    assertThat(failure.failedOver()).isTrue();
    assertThat(old.status().state()).isEqualTo(State.FAILED);
    assertThatThrownBy(() -> old.revive()).isInstanceOf(NotSubscribedException.class);
    next.revive(); // a round trip on the new subscription: the old one has had time to (wrongly) re-subscribe
    assertThat(master.next(Call.Type.REVIVE).status()).isEqualTo(202);
    assertThat(master.received()).filteredOn(r -> r.call() != null && r.call().getType() == Call.Type.SUBSCRIBE)
        .hasSize(2);
    recorder.assertExhausted();
  }

  @Test
  void callsBeforeSubscribingAreNotSentAndUpdatesWithoutUuidAreNotAcknowledged() throws Exception {
    StubMaster master = stubs.master();
    SchedulerConnection connection = stubs.connection(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    assertThatThrownBy(() -> connection.decline(List.of(MesosPayloads.offers().getOffers().getOffers(0).getId()), 5))
        .isInstanceOfSatisfying(NotSubscribedException.class, e -> {
          assertThat(e).hasMessageContaining("cannot send DECLINE");
          assertThat(e.kind()).isEqualTo(Failure.Kind.UNAVAILABLE);
        });
    // the doc's UPDATE has no agent_id; a reconciliation answer has no uuid: neither may be acknowledged
    TaskStatus docUpdate = MesosPayloads.event("update_event.json").getUpdate().getStatus();
    assertThatThrownBy(() -> connection.acknowledge(docUpdate)).isInstanceOf(IllegalArgumentException.class);
    TaskStatus reconciled = MesosPayloads.update().getUpdate().getStatus().toBuilder().clearUuid().build();
    assertThatThrownBy(() -> connection.acknowledge(reconciled)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no uuid");
    assertThat(master.received()).isEmpty();
  }

  @Test
  void anAcknowledgementTheMasterRejectsIsATypedErrorWithItsText() throws Exception {
    StubMaster master = stubs.master();
    SchedulerConnection connection = stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    // acknowledge_call.json's uuid is not an RFC 4122 uuid
    Call.Acknowledge doc = MesosPayloads.call("acknowledge_call.json").getAcknowledge();
    TaskStatus status = MesosPayloads.update().getUpdate().getStatus().toBuilder().setUuid(doc.getUuid()).build();
    assertThatThrownBy(() -> connection.acknowledge(status))
        .isInstanceOfSatisfying(MesosCallRejectedException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.masterMessage()).isEqualTo("Failed to validate scheduler::Call: Not a valid UUID");
          assertThat(e.kind()).isEqualTo(Failure.Kind.REFUSED);
          assertThat(e.getMessage()).contains("rejected ACKNOWLEDGE (HTTP 400)");
        });
    assertThat(connection.status().state()).isEqualTo(State.SUBSCRIBED);
  }

  @Test
  void aSubscribeAnswered400StopsWithTheMastersText() throws Exception {
    StubMaster master = stubs.master();
    String text = "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'";
    master.answerNextSubscribe(400, text);
    SchedulerConnection connection = stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    SubscriptionRefusedException failure = recorder.nextFailure();
    assertThat(failure.status()).isEqualTo(400);
    assertThat(failure.kind()).isEqualTo(Failure.Kind.REFUSED); // exit code 1, as for a refusing Marathon
    assertThat(failure.getMessage()).isEqualTo("Mesos master " + master.base() + "/api/v1/scheduler refused"
        + " SUBSCRIBE (HTTP 400): " + text);
    assertThat(connection.status().state()).isEqualTo(State.FAILED);
    assertThat(connection.status().lastError()).isEqualTo(failure.getMessage());
    assertThat(master.received()).hasSize(1);
  }

  @Test
  void aFrameworkTheMasterRefusesWithAnErrorEventIsNotResubscribed() throws Exception {
    StubMaster master = stubs.master();
    master.refuseFrameworks("Framework has been removed");
    SchedulerConnection connection = stubs.connect(settings(master.base()),
        new InMemoryFrameworkIdStore(MesosPayloads.RECORDED_FRAMEWORK_ID), recorder);
    assertThat(recorder.nextEvent(Event.Type.ERROR).getError().getMessage()).isEqualTo("Framework has been removed");
    SubscriptionRefusedException failure = recorder.nextFailure();
    assertThat(failure.getMessage()).endsWith("refused the framework: Framework has been removed");
    assertThat(failure.failedOver()).isFalse();
    assertThat(connection.status().state()).isEqualTo(State.FAILED);
    assertThat(master.received()).hasSize(1);
  }

  @Test
  void eventsReachTheListenerInStreamOrderOnOneThreadAndAThrowingListenerDoesNotStopThem() throws Exception {
    StubMaster master = stubs.master();
    AtomicInteger thrown = new AtomicInteger();
    SchedulerListener throwingOnRescind = new SchedulerListener() {
      @Override
      public void onEvent(Event event) {
        if (event.getType() == Event.Type.RESCIND && thrown.getAndIncrement() == 0) {
          throw new IllegalStateException("scheduler bug");
        }
        recorder.onEvent(event);
      }
    };
    SchedulerConnection connection =
        stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), throwingOnRescind);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    List<Event> sent = new ArrayList<>();
    Event[] kinds = {MesosPayloads.offers(), MesosPayloads.update(), MesosPayloads.event("rescind_event.json"),
        MesosPayloads.event("message_event.json"), MesosPayloads.event("failure_event.json")};
    for (int i = 0; i < 500; i++) {
      Event e = kinds[i % kinds.length];
      sent.add(e);
      master.emit(e);
    }
    List<Event> heard = new ArrayList<>();
    for (int i = 0; i < sent.size() - 1; i++) heard.add(recorder.nextEvent());
    List<Event> expected = new ArrayList<>(sent);
    expected.remove(2); // the first RESCIND threw
    assertThat(heard).containsExactlyElementsOf(expected);
    assertThat(recorder.threads).containsOnly("mesos-events");
    assertThat(connection.status().listenerFailures()).isEqualTo(1);
    assertThat(connection.status().eventsReceived()).isGreaterThanOrEqualTo(502); // + SUBSCRIBED, HEARTBEAT
  }

  /** An in-memory store whose first loads and saves fail, as an etcd outage makes them fail. */
  private static final class FlakyStore implements FrameworkIdStore {
    final InMemoryFrameworkIdStore backing;
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger saves = new AtomicInteger();
    private final int failingLoads;
    private final int failingSaves;

    FlakyStore(String stored, int failingLoads, int failingSaves) {
      this.backing = stored == null ? new InMemoryFrameworkIdStore() : new InMemoryFrameworkIdStore(stored);
      this.failingLoads = failingLoads;
      this.failingSaves = failingSaves;
    }

    @Override
    public Optional<String> load() {
      if (loads.incrementAndGet() <= failingLoads) throw new IllegalStateException("etcd unavailable");
      return backing.load();
    }

    @Override
    public void save(String frameworkId) {
      if (saves.incrementAndGet() <= failingSaves) throw new IllegalStateException("etcd unavailable");
      backing.save(frameworkId);
    }
  }

  @Test
  void aFailingFrameworkIdStoreDelaysTheSubscriptionInsteadOfCreatingANewFramework() throws Exception {
    StubMaster master = stubs.master();
    FlakyStore store = new FlakyStore(MesosPayloads.RECORDED_FRAMEWORK_ID, 2, 0);
    stubs.connect(settings(master.base()), store, recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(store.loads.get()).isEqualTo(3);
    assertThat(store.saves.get()).isZero(); // the master kept the stored id: nothing to save
    assertThat(master.received()).hasSize(1);
    assertThat(master.received().get(0).call().getFrameworkId().getValue())
        .isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
  }

  @Test
  void aFrameworkIdThatCannotBeSavedIsNotUsedUntilItIs() throws Exception {
    StubMaster master = stubs.master();
    FlakyStore store = new FlakyStore(null, 0, 1);
    stubs.connect(settings(master.base()), store, recorder);
    assertThat(recorder.nextEvent(Event.Type.SUBSCRIBED).getSubscribed().getFrameworkId().getValue())
        .isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    assertThat(store.saves.get()).isEqualTo(2);
    assertThat(store.backing.load()).contains(MesosPayloads.RECORDED_FRAMEWORK_ID);
    List<Received> subscribes = master.received();
    assertThat(subscribes).hasSize(2);
    // the retry re-subscribes as the framework the master already created, not as a new one
    assertThat(subscribes.get(1).call().getFrameworkId().getValue()).isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    recorder.assertExhausted();
  }

  @Test
  void jsonWireFormatSendsExactlyApplicationJsonAndReadsJsonEvents() throws Exception {
    StubMaster master = stubs.master();
    SchedulerConnection connection = stubs.connect(settings(master.base()).withWireFormat(WireFormat.JSON),
        new InMemoryFrameworkIdStore(), recorder);
    Received subscribe = master.next();
    assertThat(subscribe.headers().values("Content-Type")).containsExactly("application/json");
    assertThat(subscribe.headers().values("Accept")).containsExactly("application/json");
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    master.emit(MesosPayloads.offers());
    Offer offer = recorder.nextEvent(Event.Type.OFFERS).getOffers().getOffers(0);
    assertThat(offer).isEqualTo(MesosPayloads.offers().getOffers().getOffers(0));
    connection.decline(List.of(offer.getId()), 60);
    assertThat(master.next(Call.Type.DECLINE).status()).isEqualTo(202);
  }

  @Test
  void closeEndsTheSubscriptionAndLaterCallsAreNotSent() throws Exception {
    // a heartbeat every 100 ms: the stub's next write notices the closed socket
    StubMaster master = stubs.master().heartbeatEvery(Duration.ofMillis(100));
    SchedulerConnection connection = stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), recorder);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    connection.close();
    assertThat(connection.status().state()).isEqualTo(State.CLOSED);
    assertThatThrownBy(() -> connection.kill(TaskID.newBuilder().setValue("t").build(), null))
        .isInstanceOf(NotSubscribedException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> master.streamId() == null);
    await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("mesos-") && t.isAlive()));
    assertThat(master.received()).filteredOn(r -> r.call().getType() == Call.Type.TEARDOWN).isEmpty();
  }

  /** The JSON field paths of a message (array elements collapsed), to compare call shapes with recorded calls. */
  static TreeSet<String> shape(Message message) throws IOException {
    TreeSet<String> paths = new TreeSet<>();
    collect(JSON.readTree(new JsonCodec<>(message).encode(message)), "", paths);
    return paths;
  }

  private static void collect(JsonNode node, String prefix, TreeSet<String> paths) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        collect(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), paths);
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) collect(element, prefix + "[]", paths);
    } else {
      paths.add(prefix);
    }
  }

  private static Response post(String url, Call call, String streamId) throws IOException {
    Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(call.toByteArray(),
        MediaType.get("application/x-protobuf")));
    if (streamId != null) request.header(StubMaster.STREAM_ID, streamId);
    return new OkHttpClient().newCall(request.build()).execute();
  }
}
