package mdo.subscriber.callbacks;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import mdo.command.UntrustedText;
import mdo.guestutils.CallbackSignature;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.registry.store.EtcdException;
import mdo.subscriber.access.Caller;
import mdo.subscriber.access.Callers;

/**
 * The {@code /v1/callbacks} endpoints. Who may do what ({@link Callers}): the admin everything; a service's registration
 * token registers for a live task of that service only, and lists and deletes only its service's registrations (others
 * look absent: 404). Input is checked with clear 400s; errors are {@code {"error": "..."}} with caller text escaped; a
 * token is never echoed.
 */
final class CallbackApi {
  /** The {@code reason} of a 409 a registering client should retry: its task is not in the registry yet. */
  static final String TASK_NOT_RUNNING = "task-not-running";

  private final CallbackService service;
  private final String environment;
  private final Callers callers;
  private final CallbackUrlValidator validator;

  CallbackApi(CallbackService service, String environment, CallbackSettings settings, CallbackUrlValidator validator) {
    this.service = service;
    this.environment = environment;
    this.callers = new Callers(settings.token(), settings.registrationSecret(), environment);
    this.validator = validator;
  }

  void routes(JavalinConfig cfg) {
    cfg.routes.post("/v1/callbacks", service::register);
    cfg.routes.get("/v1/callbacks", service::list);
    cfg.routes.delete("/v1/callbacks/{service}/{id}", service::unregister);
  }

  void register(Context ctx) {
    Caller caller = caller(ctx);
    if (caller == null) return;
    JsonNode body;
    try {
      body = RegistryJson.MAPPER.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      error(ctx, HttpStatus.BAD_REQUEST, "body must be JSON {service, url, taskId, owner}");
      return;
    }
    String name = text(body, "service");
    String taskId = text(body, "taskId");
    String owner = text(body, "owner");
    if (!caller.admin()) {
      if (owner != null && !owner.equals(caller.service())) {
        error(ctx, HttpStatus.FORBIDDEN, "the registration token of service " + caller.service() + " registers only"
            + " for tasks of " + caller.service() + ", not of " + owner);
        return;
      }
      owner = caller.service();
    }
    URI uri;
    try {
      RegistryKeys.instances(environment, name == null ? "" : name);
      if (taskId == null || owner == null) {
        error(ctx, HttpStatus.BAD_REQUEST, "taskId" + (owner == null ? " and owner" : "") + " required: a registration"
            + " belongs to a running task (MESOS_TASK_ID) of a service (owner: SERVICE_NAME) and goes away with it");
        return;
      }
      RegistryKeys.instance(environment, owner, taskId);
      uri = validator.validate(text(body, "url"));
    } catch (IllegalArgumentException e) {
      error(ctx, HttpStatus.BAD_REQUEST, (e.getMessage().startsWith("callback") ? "callback URL refused: " : "")
          + e.getMessage());
      return;
    }
    try {
      if (!service.liveTask(owner, taskId)) {
        ctx.status(HttpStatus.CONFLICT).json(Map.of("error", UntrustedText.escape("task " + taskId + " of service "
            + owner + " is not in the registry (yet): a registration needs a running task; retry once it runs", 500),
            "reason", TASK_NOT_RUNNING));
        return;
      }
      CallbackService.Creation created = service.create(name, uri, taskId, owner);
      if (created.refusal() != null) {
        service.refused();
        error(ctx, HttpStatus.CONFLICT, created.refusal());
        return;
      }
      if (created.registration() == null) {
        error(ctx, HttpStatus.CONFLICT, "registration id collision, retry");
        return;
      }
      CallbackRegistration r = created.registration();
      Map<String, Object> answer = new LinkedHashMap<>(r.publicView());
      answer.put("secret", r.secret());
      answer.put("signature", CallbackSignature.HEADER + ": t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + \".\""
          + " + body)>; refuse t more than " + CallbackSignature.TOLERANCE.toMinutes() + " minutes away from now");
      ctx.status(HttpStatus.CREATED).json(answer);
    } catch (EtcdException e) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "registry unavailable: " + e.getMessage());
    }
  }

  void list(Context ctx) {
    Caller caller = caller(ctx);
    if (caller == null) return;
    ctx.json(service.views(ctx.queryParam("service"), caller));
  }

  void unregister(Context ctx) {
    Caller caller = caller(ctx);
    if (caller == null) return;
    String name = ctx.pathParam("service");
    String id = ctx.pathParam("id");
    try {
      RegistryKeys.callback(environment, name, id);
      Optional<CallbackRegistration> existing = caller.admin() ? Optional.empty() : service.registration(name, id);
      boolean mine = caller.admin() || existing.map(r -> caller.mayActFor(r.owner() == null ? "" : r.owner()))
          .orElse(false);
      if (!mine || !service.delete(name, id)) {
        error(ctx, HttpStatus.NOT_FOUND, "no callback " + name + "/" + id + (caller.admin() ? "" : " of service "
            + caller.service()));
        return;
      }
    } catch (IllegalArgumentException e) {
      error(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
      return;
    } catch (EtcdException e) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "registry unavailable: " + e.getMessage());
      return;
    }
    ctx.status(HttpStatus.NO_CONTENT);
  }

  /** The caller, or {@code null} after answering 401. */
  private Caller caller(Context ctx) {
    Optional<Caller> caller = callers.of(ctx.header("Authorization"), ctx.ip());
    if (caller.isPresent()) return caller.get();
    ctx.header("WWW-Authenticate", "Bearer");
    error(ctx, HttpStatus.UNAUTHORIZED, callers.adminTokenConfigured() || ctx.header("Authorization") != null
        ? "missing or wrong bearer token: tasks send their service's MDO_REGISTRATION_TOKEN, operators the admin token"
        : "no subscriber token is configured, so only callers on this host are trusted; set subscriber.token"
            + " (MDO_SUBSCRIBER_TOKEN) for operators and subscriber.registration-secret for tasks");
    return null;
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText().trim();
  }

  private static void error(Context ctx, HttpStatus status, String message) {
    ctx.status(status).json(Map.of("error", UntrustedText.escape(message, 500)));
  }
}
