package mdo.framework.state;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import java.time.Duration;
import java.util.List;
import mdo.registry.Etcd;
import mdo.registry.store.EtcdException;
import mdo.registry.store.Fence;
import mdo.registry.store.FencedException;

/** One etcd transaction that applies only while the leader key still has this term's create revision. */
final class FencedWrite {
  private FencedWrite() {}

  /**
   * @param fence null: unfenced
   * @throws FencedException nothing was written: this process does not lead, or no longer does (the fence is told)
   * @throws EtcdException etcd did not answer
   */
  static void commit(KV kv, Fence fence, List<Op> ops, String what, Duration timeout) {
    Fence.Guard guard = fence == null ? null : fence.guard();
    if (fence != null && guard == null) throw new FencedException("not the leader: refused to " + what);
    TxnResponse r = EtcdException.await(guard == null ? kv.txn().Then(ops.toArray(Op[]::new)).commit()
        : kv.txn().If(new Cmp(Etcd.bytes(guard.key()), Cmp.Op.EQUAL, CmpTarget.createRevision(guard.createRevision())))
            .Then(ops.toArray(Op[]::new)).commit(), what, timeout);
    if (!r.isSucceeded()) {
      fence.breached(guard);
      throw new FencedException("etcd refused to " + what + ": " + guard.key() + " is no longer at revision "
          + guard.createRevision() + " (leadership lost)");
    }
  }
}
