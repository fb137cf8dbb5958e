package mdo.subscriber;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import mdo.config.SubscriberSettings.EventSource;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;

/**
 * What {@code /health} and {@code /info} report, gathered from the parts that know it. Endpoints, and error texts that
 * name them, only with {@code details} (the admin's view): they map the internal network for whoever asks.
 */
final class HealthReporter implements SubscriberApp.HealthView {
  private final SubscriberConfig config;
  private final BooleanSupplier streamConnected;
  private final EventIntake intake;
  private final Reachability reachability;
  private final ResyncScheduler resyncs;
  private final RegistryWriter writer;
  private final IntSupplier queueDepth;

  HealthReporter(SubscriberConfig config, BooleanSupplier streamConnected, EventIntake intake, Reachability reachability,
      ResyncScheduler resyncs, RegistryWriter writer, IntSupplier queueDepth) {
    this.config = config;
    this.streamConnected = streamConnected;
    this.intake = intake;
    this.reachability = reachability;
    this.resyncs = resyncs;
    this.writer = writer;
    this.queueDepth = queueDepth;
  }

  @Override
  public Health health(boolean details) {
    List<String> problems = new ArrayList<>();
    boolean sse = config.subscriber().events() == EventSource.SSE;
    boolean connected = streamConnected.getAsBoolean();
    if (sse && !connected) problems.add("event stream disconnected");
    if (!reachability.etcd()) problems.add("etcd unreachable");
    if (!reachability.marathon()) problems.add("Marathon unreachable");
    ResyncResult r = resyncs.last();
    if (r == null) problems.add("no resync completed yet");
    else if (r.failure() != null) problems.add("last resync failed: " + (details ? r.error() : failed(r)));
    else if (r.refusedDeletes() > 0) problems.add("last resync refused to delete " + r.refusedDeletes()
        + " records (more than " + config.subscriber().maxDeleteFraction() + " of them); POST /v1/resync?force=true");
    if (writer.needsResync()) problems.add("etcd writes failed since the last resync");
    long last = intake.lastEventNanos();
    Map<String, Object> stream = new LinkedHashMap<>();
    stream.put("mode", config.subscriber().events().name());
    stream.put("connected", sse ? connected : null);
    stream.put("connects", intake.connects());
    stream.put("lastEventAgeSeconds", last == 0 ? null : (System.nanoTime() - last) / 1_000_000_000.0);
    Map<String, Object> resync = new LinkedHashMap<>();
    resync.put("lastAt", r == null ? null : r.at().toString());
    resync.put("result", r == null ? null : details || r.failure() == null ? r.summary() : "failed: " + failed(r));
    resync.put("ok", r != null && r.ok());
    resync.put("lastSuccessAt", resyncs.lastSuccess() == null ? null : resyncs.lastSuccess().toString());
    resync.put("intervalSeconds", resyncs.interval().toSeconds());
    return new Health(problems.isEmpty(), problems, stream, resync,
        details ? Map.of("reachable", reachability.etcd(), "endpoints", config.etcd().endpointList())
            : Map.of("reachable", reachability.etcd()),
        details ? Map.of("reachable", reachability.marathon(), "urls", config.marathon().urls().toString())
            : Map.of("reachable", reachability.marathon()),
        writer.recordCount(), queueDepth.getAsInt());
  }

  /** A failure without its message (which names endpoints): what failed, and where the details are. */
  private static String failed(ResyncResult r) {
    return (r.failed(ResyncResult.Cause.REGISTRY) ? "etcd" : "Marathon")
        + " error (details in /health with the admin token, and in the log)";
  }
}
