package mdo.subscriber.callbacks;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.registry.store.EtcdException;

/**
 * The {@code /v1/callbacks} endpoints: bearer-token check (constant time), input checks with clear 400s, and JSON
 * answers. Errors are {@code {"error": "..."}}; a token is never echoed.
 */
final class CallbackApi {
  private final CallbackService service;
  private final String environment;
  private final CallbackSettings settings;
  private final CallbackUrlValidator validator;

  CallbackApi(CallbackService service, String environment, CallbackSettings settings, CallbackUrlValidator validator) {
    this.service = service;
    this.environment = environment;
    this.settings = settings;
    this.validator = validator;
  }

  void routes(JavalinConfig cfg) {
    cfg.routes.post("/v1/callbacks", service::register);
    cfg.routes.get("/v1/callbacks", service::list);
    cfg.routes.delete("/v1/callbacks/{service}/{id}", service::unregister);
  }

  void register(Context ctx) {
    if (!authorized(ctx)) return;
    JsonNode body;
    try {
      body = RegistryJson.MAPPER.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      error(ctx, HttpStatus.BAD_REQUEST, "body must be JSON {service, url, taskId?}");
      return;
    }
    String name = text(body, "service");
    String taskId = text(body, "taskId");
    URI uri;
    try {
      RegistryKeys.instances(environment, name == null ? "" : name);
      if (taskId != null) RegistryKeys.instance(environment, name, taskId);
    } catch (IllegalArgumentException e) {
      error(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    try {
      uri = validator.validate(text(body, "url"));
    } catch (IllegalArgumentException e) {
      error(ctx, HttpStatus.BAD_REQUEST, "callback URL refused: " + e.getMessage());
      return;
    }
    if (service.full()) {
      service.refused();
      error(ctx, HttpStatus.CONFLICT, "too many callback registrations (" + settings.maxRegistrations() + ")");
      return;
    }
    CallbackRegistration r;
    try {
      r = service.create(name, uri, taskId);
    } catch (EtcdException e) {
      error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "registry unavailable: " + e.getMessage());
      return;
    }
    if (r == null) {
      error(ctx, HttpStatus.CONFLICT, "registration id collision, retry");
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>(r.publicView());
    answer.put("secret", r.secret());
    answer.put("signature", Signatures.HEADER + ": sha256=<hex HMAC-SHA256 of the body keyed with secret>");
    ctx.status(HttpStatus.CREATED).json(answer);
  }

  void list(Context ctx) {
    if (!authorized(ctx)) return;
    ctx.json(service.views(ctx.queryParam("service")));
  }

  void unregister(Context ctx) {
    if (!authorized(ctx)) return;
    String name = ctx.pathParam("service");
    String id = ctx.pathParam("id");
    try {
      RegistryKeys.callback(environment, name, id);
      if (!service.delete(name, id)) {
        error(ctx, HttpStatus.NOT_FOUND, "no callback " + name + "/" + id);
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

  /**
   * With a token configured, every caller must present it. Without one, only callers on this host are accepted, as for
   * the subscriber's other state-changing endpoints: an unauthenticated registration endpoint reachable from the
   * network would let anyone aim the subscriber's POSTs.
   */
  private boolean authorized(Context ctx) {
    if (settings.token() == null) {
      if (loopback(ctx.ip())) return true;
      error(ctx, HttpStatus.UNAUTHORIZED, "no subscriber token is configured, so registrations are accepted only from"
          + " this host; set subscriber.token (MDO_SUBSCRIBER_TOKEN) and give tasks MDO_TOKEN");
      return false;
    }
    String header = ctx.header("Authorization");
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (Signatures.constantTimeEquals(given, settings.token())) return true;
    ctx.header("WWW-Authenticate", "Bearer");
    error(ctx, HttpStatus.UNAUTHORIZED, "missing or wrong bearer token");
    return false;
  }

  private static boolean loopback(String address) {
    try {
      return address != null && java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText().trim();
  }

  private static void error(Context ctx, HttpStatus status, String message) {
    ctx.status(status).json(Map.of("error", message));
  }
}
