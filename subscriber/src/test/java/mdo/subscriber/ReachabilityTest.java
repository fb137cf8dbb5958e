package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import mdo.command.Failure;
import mdo.registry.store.EtcdException;
import mdo.registry.writer.ResyncResult;
import org.junit.jupiter.api.Test;

class ReachabilityTest {
  final Reachability reachability = new Reachability("http://127.0.0.1:2379");

  static ResyncResult registryFailure(EtcdException e) {
    return ResyncResult.failed(Instant.now(), Duration.ZERO, ResyncResult.Cause.REGISTRY, e.kind(), e.getMessage());
  }

  @Test
  void aResyncThatEtcdAnsweredWithAnErrorDoesNotMakeEtcdUnreachable() {
    EtcdException tooLarge = new EtcdException("etcd failed to read /mdo/default/services/",
        Status.RESOURCE_EXHAUSTED.withDescription("gRPC message exceeds maximum size 4194304").asRuntimeException());
    assertThat(tooLarge.kind()).isEqualTo(Failure.Kind.REFUSED);
    reachability.resynced(registryFailure(tooLarge));
    assertThat(reachability.etcd()).isTrue();
    // so the next probe has nothing to report back, and asks for no resync
    assertThat(reachability.probed(true, true).any()).isFalse();
  }

  @Test
  void aResyncEtcdDidNotAnswerMakesItUnreachableUntilAProbeOrResyncSeesItAgain() {
    EtcdException timeout = new EtcdException("etcd did not answer", new TimeoutException());
    assertThat(timeout.kind()).isEqualTo(Failure.Kind.UNAVAILABLE);
    reachability.resynced(registryFailure(timeout));
    assertThat(reachability.etcd()).isFalse();
    assertThat(reachability.probed(true, true).etcd()).isTrue();
    assertThat(reachability.probed(true, true).etcd()).isFalse(); // back once, not every probe
  }
}
