package mdo.framework.state;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import mdo.framework.desired.FrameworkKeys;
import mdo.mesos.FrameworkIdStore;
import mdo.registry.Etcd;
import mdo.registry.store.EtcdException;
import mdo.registry.store.Fence;

/**
 * The framework id at {@code /mdo/<env>/framework/id}: every scheduler of the environment subscribes with it, so a
 * standby that takes over resumes the same framework and its tasks. A failure throws {@link EtcdException}, and the
 * connection retries rather than subscribe as a new framework; so does a write refused because this process no longer
 * leads.
 */
public final class EtcdFrameworkIdStore implements FrameworkIdStore {
  private final KV kv;
  private final String key;
  private final Duration timeout;
  private final Fence fence;

  /** @param fence the leadership a new id's write must still hold (null: unfenced) */
  public EtcdFrameworkIdStore(KV kv, String environment, Duration timeout, Fence fence) {
    this.kv = kv;
    this.key = FrameworkKeys.frameworkId(environment);
    this.timeout = timeout;
    this.fence = fence;
  }

  @Override
  public Optional<String> load() {
    GetResponse r = EtcdException.await(kv.get(Etcd.bytes(key)), "read " + key, timeout);
    if (r.getKvs().isEmpty()) return Optional.empty();
    String id = r.getKvs().get(0).getValue().toString().strip();
    return id.isEmpty() ? Optional.empty() : Optional.of(id);
  }

  @Override
  public void save(String frameworkId) {
    FencedWrite.commit(kv, fence, List.of(Op.put(Etcd.bytes(key), Etcd.bytes(frameworkId), PutOption.DEFAULT)),
        "write " + key, timeout);
  }
}
