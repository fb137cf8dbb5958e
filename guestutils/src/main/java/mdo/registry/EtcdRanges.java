package mdo.registry;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Reads a key range of etcd page by page, every page at the revision of the first, so a prefix of any size is read in
 * bounded memory and no answer has to fit in one gRPC message (4 MiB by default; the registry holds 50,000+ records of
 * about 750 bytes). Every read of a registry prefix goes through here.
 *
 * <ul>
 *   <li>A page holds {@link #PAGE} keys (about 0.8 MB of instance records). A page that still exceeds the message limit
 *       (unusually large values) is asked for again with half as many keys, down to one.
 *   <li>Each page has its own timeout, so a large registry does not need a larger timeout.
 *   <li>If etcd compacts the scan's revision before the last page (a busy etcd with revision-based auto-compaction),
 *       {@link #scan} starts over at the current revision, telling the caller to forget what it got so far.
 * </ul>
 */
public final class EtcdRanges {
  /** Keys per page. */
  public static final int PAGE = 1_000;
  /** Keys per page of a keys-only scan (about 1 MB of keys and revisions). */
  public static final int KEYS_PAGE = 10_000;
  private static final int RESTARTS = 3;

  private EtcdRanges() {}

  /**
   * Calls {@code each} with every key-value under {@code prefix} in key order, as of one revision, which it returns.
   *
   * @param restart run before the scan starts over (its revision was compacted meanwhile): drop what was accepted
   * @throws ExecutionException etcd failed a page
   * @throws TimeoutException a page was not answered within {@code pageTimeout}
   */
  public static long scan(KV kv, String prefix, Duration pageTimeout, Runnable restart, Consumer<KeyValue> each)
      throws ExecutionException, TimeoutException, InterruptedException {
    return scan(kv, prefix, false, pageTimeout, restart, each);
  }

  /**
   * {@link #scan}, of keys and their revisions only when {@code keysOnly} (values come back empty): what a reader
   * needs to tell which values it holds already.
   */
  public static long scan(KV kv, String prefix, boolean keysOnly, Duration pageTimeout, Runnable restart,
      Consumer<KeyValue> each) throws ExecutionException, TimeoutException, InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        return pages(kv, prefix, 0, keysOnly, pageTimeout, each);
      } catch (ExecutionException e) {
        if (!compacted(e) || attempt == RESTARTS) throw e;
        restart.run();
      }
    }
  }

  /**
   * Like {@link #scan}, at a revision the caller chose (another prefix of the same snapshot); fails when etcd has
   * compacted it.
   */
  public static void scanAt(KV kv, String prefix, long revision, boolean keysOnly, Duration pageTimeout,
      Consumer<KeyValue> each) throws ExecutionException, TimeoutException, InterruptedException {
    pages(kv, prefix, revision, keysOnly, pageTimeout, each);
  }

  /** Whether etcd refused because the revision asked for was compacted. */
  public static boolean compacted(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof CompactedException) return true;
      Status.Code code = code(c);
      if (code == Status.Code.OUT_OF_RANGE && String.valueOf(c.getMessage()).contains("compacted")) return true;
    }
    return false;
  }

  /** Whether etcd answered with an error (it is reachable), rather than not answering at all. */
  public static boolean answered(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      Status.Code code = code(c);
      if (code != null) return code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED
          && code != Status.Code.CANCELLED && code != Status.Code.UNKNOWN;
    }
    return false;
  }

  private static long pages(KV kv, String prefix, long revision, boolean keysOnly, Duration pageTimeout,
      Consumer<KeyValue> each) throws ExecutionException, TimeoutException, InterruptedException {
    ByteSequence start = Etcd.bytes(prefix);
    ByteSequence end = OptionsUtil.prefixEndOf(start);
    long at = revision;
    int limit = keysOnly ? KEYS_PAGE : PAGE;
    while (true) {
      GetOption option = GetOption.builder().withRange(end).withLimit(limit).withRevision(at).withKeysOnly(keysOnly)
          .build();
      GetResponse page;
      try {
        page = kv.get(start, option).get(pageTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (limit > 1 && tooLarge(e)) {
          limit = Math.max(1, limit / 2);
          continue;
        }
        throw e;
      }
      if (at == 0) at = page.getHeader().getRevision();
      KeyValue last = null;
      for (KeyValue v : page.getKvs()) {
        each.accept(v);
        last = v;
      }
      if (!page.isMore() || last == null) return at;
      start = after(last.getKey());
    }
  }

  /** The smallest key after {@code key}: the key with a zero byte appended. */
  private static ByteSequence after(ByteSequence key) {
    byte[] k = key.getBytes();
    byte[] next = new byte[k.length + 1];
    System.arraycopy(k, 0, next, 0, k.length);
    return ByteSequence.from(next);
  }

  private static boolean tooLarge(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (code(c) == Status.Code.RESOURCE_EXHAUSTED) return true;
    }
    return false;
  }

  private static Status.Code code(Throwable t) {
    if (t instanceof StatusRuntimeException s) return s.getStatus().getCode();
    if (t instanceof EtcdException e && e.getErrorCode() != null) return Status.Code.valueOf(e.getErrorCode().name());
    return null;
  }
}
