package mdo.subscriber;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;

/**
 * {@code /info} for people (HTML, no scripts) and {@code /v1/services[/{name}]} for programs (the same data as JSON):
 * the registered instances of each service and, for a service short of instances, what the backend says of it
 * ({@code waiting}: Marathon's launch queue, or why bin/framework cannot place it), also when none of its instances
 * runs.
 */
final class InfoRoutes {
  private final String environment;
  private final Supplier<List<InstanceRecord>> records;
  private final Supplier<Health> health;
  private final Supplier<LaunchQueue.Status> queue;

  InfoRoutes(String environment, Supplier<List<InstanceRecord>> records, Supplier<Health> health,
      Supplier<LaunchQueue.Status> queue) {
    this.environment = environment;
    this.records = records;
    this.health = health;
    this.queue = queue;
  }

  void services(Context ctx) {
    LaunchQueue.Status queued = queue.get();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("environment", environment);
    Map<String, Object> services = new TreeMap<>();
    byService(queued).forEach((name, records) -> services.put(name, service(records, queued.waiting().get(name))));
    body.put("services", services);
    if (queued.problem() != null) body.put("launchQueue", queued.problem());
    json(ctx, body);
  }

  void service(Context ctx) {
    String name = ctx.pathParam("name");
    LaunchQueue.Status queued = queue.get();
    List<InstanceRecord> records = byService(queued).get(name);
    if (records == null) throw new NotFoundResponse("no instances of service '" + name + "'");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("environment", environment);
    body.put("service", name);
    body.putAll(service(records, queued.waiting().get(name)));
    json(ctx, body);
  }

  private static Map<String, Object> service(List<InstanceRecord> records, LaunchQueue.Queued waiting) {
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("instances", instances(records));
    if (waiting != null) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("count", waiting.count());
      w.put("summary", waiting.summary());
      w.putAll(new TreeMap<>(waiting.details()));
      service.put("waiting", w);
    }
    return service;
  }

  void page(Context ctx) {
    LaunchQueue.Status queued = queue.get();
    Map<String, List<InstanceRecord>> services = byService(queued);
    Health health = this.health.get();
    StringBuilder h = new StringBuilder(4096);
    String env = Html.escape(environment);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mdo registry: ").append(env)
        .append("</title><style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:"
            + "1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
            + ".bad{color:#b00}.ok{color:#070}code{font-size:90%}</style></head><body>\n")
        .append("<h1>mdo registry: environment <code>").append(env).append("</code></h1>\n<p id=\"status\" class=\"")
        .append(health.healthy() ? "ok\">healthy" : "bad\">unhealthy: " + Html.escape(String.join("; ", health.problems())))
        .append("</p>\n<p>").append(services.size()).append(" services, ").append(health.records())
        .append(" instances. Last resync: ").append(Html.escape(health.resync().get("result"))).append("</p>\n");
    if (queued.problem() != null) {
      h.append("<p id=\"queue\" class=\"bad\">").append(Html.escape(queued.problem())).append("</p>\n");
    }
    if (services.isEmpty()) h.append("<p id=\"empty\">No instances registered.</p>\n");
    for (Map.Entry<String, List<InstanceRecord>> e : services.entrySet()) {
      String name = Html.escape(e.getKey());
      h.append("<section class=\"service\" data-service=\"").append(name).append("\"><h2>").append(name)
          .append(" <small>(").append(e.getValue().size()).append(" instances)</small></h2>\n");
      LaunchQueue.Queued waiting = queued.waiting().get(e.getKey());
      if (waiting != null) {
        h.append("<p class=\"waiting bad\">").append(Html.escape(queued.source())).append(": ")
            .append(Html.escape(waiting.summary())).append("</p>\n");
      }
      h.append("<table><thead><tr>"
              + "<th>#</th><th>task</th><th>host</th><th>ports</th><th>state</th><th>health</th><th>labels</th>"
              + "<th>age</th></tr></thead><tbody>\n");
      for (InstanceRecord r : e.getValue()) row(h, r);
      h.append("</tbody></table></section>\n");
    }
    h.append("<p><a href=\"/v1/services\">JSON</a> · <a href=\"/health\">health</a> · <a href=\"/metrics\">metrics</a>"
        + "</p></body></html>\n");
    ctx.contentType("text/html; charset=utf-8").result(h.toString());
  }

  private static void row(StringBuilder h, InstanceRecord r) {
    h.append("<tr class=\"instance\" data-task=\"").append(Html.escape(r.taskId())).append("\"><td>").append(r.ordinal())
        .append("</td><td><code>").append(Html.escape(r.taskId())).append("</code></td><td>").append(Html.escape(r.host()))
        .append("</td><td>");
    for (Map.Entry<String, PortMapping> p : r.ports().entrySet()) {
      PortMapping m = p.getValue();
      h.append("<div class=\"port\">").append(Html.escape(p.getKey())).append(": <code>").append(Html.escape(r.host()))
          .append(':').append(m.host()).append("</code> → ").append(m.container()).append('/')
          .append(Html.escape(m.protocol())).append("</div>");
    }
    h.append("</td><td>").append(Html.escape(r.state())).append(r.draining() ? " (draining)" : "").append("</td><td class=\"")
        .append(Boolean.FALSE.equals(r.healthy()) ? "bad\">unhealthy" : Boolean.TRUE.equals(r.healthy()) ? "ok\">healthy"
            : "\">no checks")
        .append("</td><td>");
    r.labels().forEach((k, v) -> h.append("<div>").append(Html.escape(k)).append('=').append(Html.escape(v)).append("</div>"));
    h.append("</td><td>").append(Html.escape(age(r.startedAt()))).append("</td></tr>\n");
  }

  static String age(String startedAt) {
    if (startedAt == null) return "";
    try {
      Duration d = Duration.between(Instant.parse(startedAt), Instant.now());
      if (d.isNegative()) return "0s";
      if (d.toDays() > 0) return d.toDays() + "d " + d.toHoursPart() + "h";
      if (d.toHours() > 0) return d.toHours() + "h " + d.toMinutesPart() + "m";
      if (d.toMinutes() > 0) return d.toMinutes() + "m " + d.toSecondsPart() + "s";
      return d.toSeconds() + "s";
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** The registered instances by service, with an empty list for a service that only waits to launch. */
  private Map<String, List<InstanceRecord>> byService(LaunchQueue.Status queued) {
    Map<String, List<InstanceRecord>> services = new TreeMap<>();
    for (InstanceRecord r : records.get()) {
      services.computeIfAbsent(r.service(), s -> new java.util.ArrayList<>()).add(r);
    }
    queued.waiting().keySet().forEach(s -> services.putIfAbsent(s, List.of()));
    return services;
  }

  private static List<Map<String, Object>> instances(List<InstanceRecord> records) {
    return records.stream().map(r -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = RegistryJson.MAPPER.convertValue(r, LinkedHashMap.class);
      m.put("ready", r.ready());
      m.put("age", age(r.startedAt()));
      return m;
    }).toList();
  }

  static void json(Context ctx, Object body) {
    ctx.contentType("application/json").result(RegistryJson.write(body));
  }
}
