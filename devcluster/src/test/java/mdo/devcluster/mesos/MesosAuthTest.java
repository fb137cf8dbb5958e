package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.framework;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.junit.jupiter.api.Test;

/** {@code --auth}: HTTP basic on every endpoint, like a master with --authenticate_http_frameworks. */
class MesosAuthTest {
  @Test
  void everyRequestNeedsTheCredentialsAndThePrincipalFollowsThem() throws Exception {
    try (MesosHarness h = MesosHarness.start(s -> s.withCredentials("mdo:s3cret"))) {
      Call subscribe = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
          .setFrameworkInfo(framework("guarded"))).build();
      TestScheduler.Reply anonymous = TestScheduler.execute(h.http, new Request.Builder()
          .url(h.url + "/api/v1/scheduler").post(TestScheduler.body(subscribe, false)).build());
      assertThat(anonymous.code()).isEqualTo(401);
      assertThat(anonymous.headers().get("WWW-Authenticate")).isEqualTo("Basic realm=\"mesos-master-scheduler\"");
      TestScheduler.Reply wrong = TestScheduler.execute(h.http, new Request.Builder()
          .url(h.url + "/api/v1/scheduler").header("Authorization", Credentials.basic("mdo", "guess"))
          .post(TestScheduler.body(subscribe, false)).build());
      assertThat(wrong.code()).isEqualTo(401);
      TestScheduler.Reply state = TestScheduler.execute(h.http, new Request.Builder().url(h.url + "/master/state")
          .build());
      assertThat(state.code()).isEqualTo(401);
      assertThat(state.headers().get("WWW-Authenticate")).isEqualTo("Basic realm=\"mesos-master-readonly\"");

      OkHttpClient authed = h.http.newBuilder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
          .header("Authorization", Credentials.basic("mdo", "s3cret")).build())).build();
      Call impostor = subscribe.toBuilder().setSubscribe(subscribe.getSubscribe().toBuilder().setFrameworkInfo(
          framework("guarded").setPrincipal("other"))).build();
      assertThat(TestScheduler.execute(authed, new Request.Builder().url(h.url + "/api/v1/scheduler")
          .post(TestScheduler.body(impostor, false)).build())).isEqualTo(new TestScheduler.Reply(400,
          "Failed to validate scheduler::Call: Authenticated principal 'mdo' does not match principal 'other' set in"
              + " `FrameworkInfo`", null));

      TestScheduler s = TestScheduler.subscribe(h.url, framework("guarded").build(), false, authed);
      try {
        s.offer();
        TestScheduler.Reply body = TestScheduler.execute(authed, new Request.Builder().url(h.url + "/master/state")
            .build());
        JsonNode frameworks = new ObjectMapper().readTree(body.body()).path("frameworks");
        assertThat(frameworks.findValuesAsText("principal")).containsExactly("mdo");
      } finally {
        s.close();
      }
    }
  }
}
