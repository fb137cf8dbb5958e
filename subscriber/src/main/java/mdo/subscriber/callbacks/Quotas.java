package mdo.subscriber.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * How many registrations a task, a service (its tasks together) and the environment may hold, counted from etcd's keys
 * alone: a registration id starts with 8 hex digits of SHA-256 of its owner service and 8 of its task, then 16 random
 * ones. Reading keys only keeps the count cheap (values carry the members last delivered). A 32-bit collision can only
 * make a quota refuse early, never let one pass.
 */
final class Quotas {
  private final CallbackSettings settings;

  /** Registrations in the environment, of the owner service, of the task. */
  record Usage(int total, int service, int task) {}

  Quotas(CallbackSettings settings) {
    this.settings = settings;
  }

  static String newId(String owner, String taskId) {
    return hash(owner) + hash(taskId) + Secrets.random(8);
  }

  /** What {@code ids} (every registration id of the environment) hold for {@code owner} and {@code taskId}. */
  static Usage usage(List<String> ids, String owner, String taskId) {
    String ownerHash = hash(owner);
    String taskHash = hash(taskId);
    int service = 0;
    int task = 0;
    for (String id : ids) {
      if (id.length() != 32 || !id.startsWith(ownerHash)) continue;
      service++;
      if (id.startsWith(taskHash, 8)) task++;
    }
    return new Usage(ids.size(), service, task);
  }

  /** Why one more registration does not fit, or {@code null}. */
  String refusal(Usage usage, String owner, String taskId) {
    if (usage.task() >= settings.maxPerTask()) {
      return "task " + taskId + " holds " + usage.task() + " callback registrations, the most one task may ("
          + settings.maxPerTask() + ")";
    }
    if (usage.service() >= settings.maxPerService()) {
      return "the tasks of service " + owner + " hold " + usage.service() + " callback registrations, the most one"
          + " service may (" + settings.maxPerService() + ")";
    }
    if (usage.total() >= settings.maxRegistrations()) {
      return "too many callback registrations (" + settings.maxRegistrations() + ")";
    }
    return null;
  }

  private static String hash(String value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
