package mdo.framework.state;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mdo.framework.desired.FrameworkKeys;
import mdo.framework.desired.ServiceProgress;
import mdo.registry.Etcd;
import mdo.registry.RegistryJson;
import mdo.registry.store.EtcdException;
import mdo.registry.store.Fence;
import mdo.registry.store.FencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What only the leading scheduler writes: its task records and its progress reports ({@link FrameworkKeys}). Writes
 * are transactions of at most {@link #MAX_OPS} operations (etcd's default {@code --max-txn-ops} is 128), fenced by
 * the leadership: each also compares the leader key's create revision, so etcd refuses them once this process's term
 * has ended ({@link FencedException}). Failures change nothing the caller relies on: {@link EtcdException} when etcd
 * did not answer. The client belongs to the caller.
 */
public final class StateStore {
  private static final Logger log = LoggerFactory.getLogger(StateStore.class);
  static final int MAX_OPS = 100;

  private final KV kv;
  private final String environment;
  private final Duration timeout;
  private final Fence fence;

  /** @param fence the leadership every write must still hold; null writes unfenced (a single writer, in tests) */
  public StateStore(KV kv, String environment, Duration timeout, Fence fence) {
    this.kv = kv;
    this.environment = environment;
    this.timeout = timeout;
    this.fence = fence;
  }

  /** Every task record; unreadable ones are logged and left out (reconciliation then kills what they described). */
  public List<FrameworkTask> loadTasks() {
    String prefix = FrameworkKeys.tasks(environment);
    GetResponse r = EtcdException.await(kv.get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).build()),
        "read " + prefix, timeout.multipliedBy(2));
    List<FrameworkTask> out = new ArrayList<>();
    for (KeyValue v : r.getKvs()) {
      String key = v.getKey().toString();
      String taskId = FrameworkKeys.nameUnder(prefix, key);
      if (taskId == null) continue;
      try {
        FrameworkTask t = RegistryJson.read(v.getValue().getBytes(), FrameworkTask.class, key);
        if (!t.taskId().equals(taskId)) throw new IllegalArgumentException("holds task " + t.taskId());
        out.add(t);
      } catch (IllegalArgumentException | NullPointerException e) {
        log.warn("skipped: task record {}: {}", key, e.getMessage());
      }
    }
    return out;
  }

  /** Writes task records, in transactions of at most {@link #MAX_OPS}. */
  public void putTasks(List<FrameworkTask> tasks) {
    List<Op> ops = new ArrayList<>();
    for (FrameworkTask t : tasks) {
      ops.add(Op.put(Etcd.bytes(FrameworkKeys.task(environment, t.taskId())), ByteSequence.from(RegistryJson.write(t)),
          PutOption.DEFAULT));
    }
    commit(ops, "write " + tasks.size() + " task records");
  }

  public void deleteTask(String taskId) {
    commit(List.of(Op.delete(Etcd.bytes(FrameworkKeys.task(environment, taskId)), DeleteOption.DEFAULT)),
        "delete task record " + taskId);
  }

  public void putProgress(ServiceProgress progress) {
    commit(List.of(Op.put(Etcd.bytes(FrameworkKeys.progress(environment, progress.service())),
        ByteSequence.from(RegistryJson.write(progress)), PutOption.DEFAULT)), "write progress of " + progress.service());
  }

  public void deleteProgress(String service) {
    commit(List.of(Op.delete(Etcd.bytes(FrameworkKeys.progress(environment, service)), DeleteOption.DEFAULT)),
        "delete progress of " + service);
  }

  private void commit(List<Op> ops, String what) {
    for (int from = 0; from < ops.size(); from += MAX_OPS) {
      FencedWrite.commit(kv, fence, ops.subList(from, Math.min(ops.size(), from + MAX_OPS)), what, timeout);
    }
  }
}
