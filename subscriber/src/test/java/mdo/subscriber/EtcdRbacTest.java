package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdo.config.SubscriberSettings;
import mdo.guestutils.GuestConfig;
import mdo.guestutils.GuestEnv;
import mdo.guestutils.GuestUtils;
import mdo.guestutils.RegistryWatch;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The etcd roles of docs/security.md ("etcd roles"), set up on a real etcd with auth enabled: the subscriber reads and
 * writes its environment, a task reads {@code services/} and nothing else, so the callback secrets stored under
 * {@code callbacks/} are out of every task's reach.
 */
class EtcdRbacTest {
  private final EtcdServer etcd = EtcdServer.start();
  private Harness h;

  @AfterEach
  void tearDown() {
    if (h != null) h.close();
    etcd.close();
  }

  /** What docs/security.md tells operators to run with etcdctl, done with jetcd's auth API. */
  private void applyDocumentedRoles(String env) throws Exception {
    try (Client root = Etcd.client(EtcdSettings.of(etcd.endpoint()))) {
      var auth = root.getAuthClient();
      auth.userAdd(Etcd.bytes("root"), Etcd.bytes("root-pw")).get(5, TimeUnit.SECONDS);
      auth.roleAdd(Etcd.bytes("root")).get(5, TimeUnit.SECONDS);
      auth.userGrantRole(Etcd.bytes("root"), Etcd.bytes("root")).get(5, TimeUnit.SECONDS);
      role(auth, "mdo-subscriber", "sub-pw", RegistryKeys.environment(env), Permission.Type.READWRITE);
      role(auth, "mdo-task", "task-pw", RegistryKeys.services(env), Permission.Type.READ);
      auth.authEnable().get(5, TimeUnit.SECONDS);
    }
  }

  /** {@code etcdctl role add NAME; role grant-permission NAME --prefix=true TYPE PREFIX; user add NAME; grant-role}. */
  private static void role(io.etcd.jetcd.Auth auth, String name, String password, String prefix, Permission.Type type)
      throws Exception {
    auth.roleAdd(Etcd.bytes(name)).get(5, TimeUnit.SECONDS);
    auth.roleGrantPermission(Etcd.bytes(name), Etcd.bytes(prefix), prefixEnd(prefix), type).get(5, TimeUnit.SECONDS);
    auth.userAdd(Etcd.bytes(name), Etcd.bytes(password)).get(5, TimeUnit.SECONDS);
    auth.userGrantRole(Etcd.bytes(name), Etcd.bytes(name)).get(5, TimeUnit.SECONDS);
  }

  /** etcdctl's {@code --prefix}: the key after every key that starts with {@code prefix}. */
  private static io.etcd.jetcd.ByteSequence prefixEnd(String prefix) {
    return Etcd.bytes(prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1));
  }

  private EtcdSettings as(String user, String password) {
    return new EtcdSettings(List.of(URI.create(etcd.endpoint())), user, password, null, null, null);
  }

  @Test
  void tasksReadTheRegistryButNeitherCallbackSecretsNorAnythingToWrite() throws Exception {
    String env = "rbac" + ProcessHandle.current().pid();
    applyDocumentedRoles(env);
    h = new Harness(as("mdo-subscriber", "sub-pw"), env);
    h.marathon.putTask(h.task(1));
    SubscriberConfig c = h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE, Harness.fastTuning());
    SubscriberSettings s = c.subscriber();
    h.start(new SubscriberConfig(c.etcd(), c.marathon(), new SubscriberSettings(s.host(), s.port(), s.url(), s.token(),
        s.events(), s.resyncInterval(), s.resyncUnhealthyAfter(), s.streamIdleTimeout(), List.of("127.0.0.0/8")),
        c.environment(), c.tuning()));
    h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
    try (MockWebServer receiver = new MockWebServer()) {
      receiver.start(java.net.InetAddress.getLoopbackAddress(), 0);
      receiver.enqueue(new MockResponse.Builder().code(200).build());
      Harness.Reply registered = h.post("/v1/callbacks", "{\"service\":\"web\",\"url\":\"" + receiver.url("/hook")
          + "\",\"taskId\":\"" + h.taskId(1) + "\",\"owner\":\"web\"}", Harness.TOKEN);
      assertThat(registered.code()).as(registered.body()).isEqualTo(201);
      assertThat(receiver.takeRequest(10, TimeUnit.SECONDS)).as("delivered with the subscriber's etcd role").isNotNull();
    }

    GuestEnv task = new GuestEnv(Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "ETCD_USER", "mdo-task",
        "ETCD_PASSWORD", "task-pw", "MDO_ENVIRONMENT", env));
    try (GuestUtils guest = new GuestUtils(task, GuestConfig.from(task, null).reader())) {
      assertThat(guest.getNodeList("web", List.of("web"))).containsExactly("10.0.0.1:31001");
    }
    try (Client client = Etcd.client(as("mdo-task", "task-pw"));
         RegistryWatch watch = new RegistryWatch(client, env, Duration.ofMillis(50)).start()) {
      assertThat(watch.awaitLoaded(Duration.ofSeconds(10))).as("a task's watch of the registry").isTrue();
      assertThat(watch.read("web").instances()).hasSize(1);
      for (String key : List.of(RegistryKeys.callbacks(env), RegistryKeys.callbackQuota(env))) {
        assertThatThrownBy(() -> client.getKVClient().get(Etcd.bytes(key), GetOption.builder().isPrefix(true).build())
            .get(10, TimeUnit.SECONDS)).as(key).hasMessageContaining("permission denied");
      }
      assertThatThrownBy(() -> client.getKVClient().put(Etcd.bytes(RegistryKeys.instance(env, "web", "forged.1")),
          Etcd.bytes("{}")).get(10, TimeUnit.SECONDS)).hasMessageContaining("permission denied");
    }
    try (Client subscriber = Etcd.client(as("mdo-subscriber", "sub-pw"))) {
      assertThat(subscriber.getKVClient().get(Etcd.bytes(RegistryKeys.callbacks(env)),
          GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue().toString())
          .as("the subscriber reads what it stored").contains("\"secret\"");
    }
  }
}
