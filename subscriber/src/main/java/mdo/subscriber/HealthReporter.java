package mdo.subscriber;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import mdo.command.Durations;
import mdo.config.SubscriberSettings.EventSource;
import mdo.leader.Leader;
import mdo.registry.store.BadData;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;

/**
 * What {@code /health} and {@code /info} report, gathered from the parts that know it. Endpoints, and error texts that
 * name them, only with {@code details} (the admin's view): they map the internal network for whoever asks. So is the
 * leader's URL; who leads and since when everyone sees.
 */
final class HealthReporter implements SubscriberApp.HealthView {
  private final SubscriberConfig config;
  private final Reachability reachability;
  private final RegistryWriter writer;
  private final Leadership leadership;
  private final IntSupplier records;

  HealthReporter(SubscriberConfig config, Reachability reachability, RegistryWriter writer, Leadership leadership,
      IntSupplier records) {
    this.config = config;
    this.reachability = reachability;
    this.writer = writer;
    this.leadership = leadership;
    this.records = records;
  }

  @Override
  public Health health(boolean details) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    boolean framework = config.readsOnly();
    LeaderDuties duties = framework ? null : leadership.duties(); // the framework's registry: no events, no resyncs
    boolean sse = !framework && config.subscriber().events() == EventSource.SSE;
    boolean connected = duties != null && duties.streamConnected();
    if (duties != null && sse && !connected) problems.add("event stream disconnected");
    if (!reachability.etcd()) problems.add("etcd unreachable");
    if (!framework && !reachability.marathon()) problems.add("Marathon unreachable");
    ResyncScheduler resyncs = duties == null ? null : duties.resyncs();
    ResyncResult r = resyncs == null ? null : resyncs.last();
    Instant failingSince = resyncs == null ? null : resyncs.failingSince();
    List<Map<String, Object>> refused = new ArrayList<>();
    if (duties != null) {
      Duration limit = config.subscriber().resyncUnhealthyAfter();
      if (r == null) {
        problems.add("no resync completed yet");
      } else if (failingSince != null) {
        String failing = "resyncs failing since " + failingSince + ": " + (details ? r.error() : failed(r));
        if (Duration.between(failingSince, Instant.now()).compareTo(limit) > 0) problems.add(failing);
        else warnings.add(failing + " (retrying; unhealthy after " + Durations.format(limit) + ")");
      }
      if (r != null && !r.refused().isEmpty()) {
        for (ResyncResult.Refusal x : r.refused()) {
          refused.add(Map.of("appId", x.appId(), "records", x.records(), "reason", details ? x.reason() : notConfirmed()));
        }
        problems.add("last resync kept " + r.refusedDeletes() + " records of apps missing from Marathon's listing: "
            + (details ? r.refused() : refused.stream().map(x -> x.get("appId")).toList())
            + "; POST /v1/resync?force=true deletes them unconfirmed");
      }
      if (r != null) {
        for (BadData b : r.bad()) {
          warnings.add("registry holds " + b.count() + " bad values (" + b.kind().label() + ", e.g. " + b.example()
              + ": " + b.reason() + ")");
        }
      }
      if (writer.needsResync()) problems.add("etcd writes failed since the last resync");
    }
    EventIntake intake = duties == null ? null : duties.intake();
    long last = intake == null ? 0 : intake.lastEventNanos();
    Map<String, Object> stream = new LinkedHashMap<>();
    stream.put("mode", framework ? "none: bin/framework writes the registry (backend: mesos)"
        : config.subscriber().events().name());
    stream.put("connected", sse && duties != null ? connected : null);
    stream.put("connects", intake == null ? 0 : intake.connects());
    stream.put("lastEventAgeSeconds", last == 0 ? null : (System.nanoTime() - last) / 1_000_000_000.0);
    Map<String, Object> resync = new LinkedHashMap<>();
    resync.put("lastAt", r == null ? null : r.at().toString());
    resync.put("result", r == null ? null : details || r.failure() == null ? r.summary() : "failed: " + failed(r));
    resync.put("ok", r != null && r.ok());
    if (r != null && r.failure() == null) {
      resync.put("tookMillis", r.took().toMillis());
      resync.put("records", r.records());
      resync.put("writes", r.writes());
      resync.put("created", r.created());
      resync.put("updated", r.updated());
      resync.put("deleted", r.deleted());
    }
    resync.put("lastSuccessAt",
        resyncs == null || resyncs.lastSuccess() == null ? null : resyncs.lastSuccess().toString());
    resync.put("failingSince", failingSince == null ? null : failingSince.toString());
    resync.put("nextAt", resyncs == null || resyncs.nextAt() == null ? null : resyncs.nextAt().toString());
    resync.put("intervalSeconds", config.subscriber().resyncInterval().toSeconds());
    resync.put("refused", refused);
    Leader leader = leadership.leader().orElse(null);
    return new Health(problems.isEmpty(), problems, warnings, leadership.leading() ? "leader" : "standby",
        leader == null || details ? leader : new Leader(leader.id(), null, leader.since()), stream, resync,
        details ? Map.of("reachable", reachability.etcd(), "endpoints", config.etcd().endpointList())
            : Map.of("reachable", reachability.etcd()),
        framework ? Map.of("used", false)
            : details ? Map.of("reachable", reachability.marathon(), "urls", config.marathon().urls().toString())
            : Map.of("reachable", reachability.marathon()),
        records.getAsInt(), duties == null ? 0 : duties.queueDepth());
  }

  /** A failure without its message (which names endpoints): what failed, and where the details are. */
  private static String failed(ResyncResult r) {
    String what = r.failed(ResyncResult.Cause.REGISTRY) ? "etcd error" : r.failed(ResyncResult.Cause.CLUSTER)
        ? "Marathon error" : "internal error";
    return what + " (details in /health with the admin token, and in the log)";
  }

  /** A refusal without its reason (which may quote Marathon's error, naming endpoints). */
  private static String notConfirmed() {
    return "missing from the listing and not confirmed gone; kept (details in /health with the admin token)";
  }
}
