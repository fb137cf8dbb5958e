package mdo.devcluster.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import mdo.devcluster.ApiException;
import mdo.devcluster.Json;

/** Small helpers the route classes share: JSON in and out, Marathon's boolean query flags. */
final class Http {
  private Http() {}

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status);
    ctx.contentType("application/json");
    ctx.result(Json.write(body));
  }

  /** The request body as JSON; broken syntax is Marathon's 400 with {@code details} as a string. */
  static JsonNode body(Context ctx) {
    byte[] bytes = ctx.bodyAsBytes();
    if (bytes.length == 0) throw ApiException.unparseable("No content to map due to end-of-input");
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.unparseable(e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.unparseable(e.getMessage());
    }
  }

  static boolean flag(Context ctx, String name, boolean fallback) {
    String value = ctx.queryParam(name);
    return value == null ? fallback : Boolean.parseBoolean(value);
  }

  static boolean embeds(Context ctx, String what) {
    List<String> embed = ctx.queryParams("embed");
    for (String e : embed) {
      if (e.equals(what) || e.equals("app." + what) || e.equals("apps." + what) || e.equals("group.apps." + what)) {
        return true;
      }
    }
    return false;
  }
}
