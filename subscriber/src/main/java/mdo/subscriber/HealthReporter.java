package mdo.subscriber;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import mdo.config.SubscriberSettings.EventSource;
import mdo.leader.Leader;
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
    LeaderDuties duties = leadership.duties();
    boolean sse = config.subscriber().events() == EventSource.SSE;
    boolean connected = duties != null && duties.streamConnected();
    if (duties != null && sse && !connected) problems.add("event stream disconnected");
    if (!reachability.etcd()) problems.add("etcd unreachable");
    if (!reachability.marathon()) problems.add("Marathon unreachable");
    ResyncScheduler resyncs = duties == null ? null : duties.resyncs();
    ResyncResult r = resyncs == null ? null : resyncs.last();
    if (duties != null) {
      if (r == null) problems.add("no resync completed yet");
      else if (r.failure() != null) problems.add("last resync failed: " + (details ? r.error() : failed(r)));
      else if (r.refusedDeletes() > 0) problems.add("last resync refused to delete " + r.refusedDeletes()
          + " records (more than " + config.subscriber().maxDeleteFraction() + " of them); POST /v1/resync?force=true");
      if (writer.needsResync()) problems.add("etcd writes failed since the last resync");
    }
    EventIntake intake = duties == null ? null : duties.intake();
    long last = intake == null ? 0 : intake.lastEventNanos();
    Map<String, Object> stream = new LinkedHashMap<>();
    stream.put("mode", config.subscriber().events().name());
    stream.put("connected", sse && duties != null ? connected : null);
    stream.put("connects", intake == null ? 0 : intake.connects());
    stream.put("lastEventAgeSeconds", last == 0 ? null : (System.nanoTime() - last) / 1_000_000_000.0);
    Map<String, Object> resync = new LinkedHashMap<>();
    resync.put("lastAt", r == null ? null : r.at().toString());
    resync.put("result", r == null ? null : details || r.failure() == null ? r.summary() : "failed: " + failed(r));
    resync.put("ok", r != null && r.ok());
    resync.put("lastSuccessAt",
        resyncs == null || resyncs.lastSuccess() == null ? null : resyncs.lastSuccess().toString());
    resync.put("intervalSeconds", config.subscriber().resyncInterval().toSeconds());
    Leader leader = leadership.leader().orElse(null);
    return new Health(problems.isEmpty(), problems, duties != null ? "leader" : "standby",
        leader == null || details ? leader : new Leader(leader.id(), null, leader.since()), stream, resync,
        details ? Map.of("reachable", reachability.etcd(), "endpoints", config.etcd().endpointList())
            : Map.of("reachable", reachability.etcd()),
        details ? Map.of("reachable", reachability.marathon(), "urls", config.marathon().urls().toString())
            : Map.of("reachable", reachability.marathon()),
        records.getAsInt(), duties == null ? 0 : duties.queueDepth());
  }

  /** A failure without its message (which names endpoints): what failed, and where the details are. */
  private static String failed(ResyncResult r) {
    return (r.failed(ResyncResult.Cause.REGISTRY) ? "etcd" : "Marathon")
        + " error (details in /health with the admin token, and in the log)";
  }
}
