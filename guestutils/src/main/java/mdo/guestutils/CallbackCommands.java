package mdo.guestutils;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code register-callback}, {@code list-callbacks}, {@code unregister-callback}: the subscriber's callback API. */
final class CallbackCommands {
  private CallbackCommands() {}

  abstract static class Base implements Callable<Integer> {
    @Mixin Main.Common common;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    CallbackClient client() {
      GuestConfig config = common.config();
      return new CallbackClient(config.subscriberUrl(), config.token(), Duration.ofSeconds(10));
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "register-callback", description = {
      "Have the subscriber POST membership changes of SERVICE to URL.",
      "The registration is tied to this task (MESOS_TASK_ID of SERVICE_NAME) and goes away when this container does;",
      "a task registering as it starts waits (up to 60s) until the subscriber has its record.",
      "Authorization: MDO_REGISTRATION_TOKEN (the launcher gives every task its service's), or MDO_TOKEN.",
      "Prints MDO_CALLBACK_ID=... and MDO_CALLBACK_SECRET=... (shell syntax; the secret is shown only now).",
      "Receivers check X-Mdo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + \".\" + body)>",
      "(guestutils verify-callback does), and refuse t more than 5 minutes away from now.",
      "",
      "Example:",
      "  eval \"$(guestutils register-callback cassandra http://$HOST:$PORT_ADMIN/membership)\""})
  static final class Register extends Base {
    @Parameters(index = "0", paramLabel = "SERVICE") String service;
    @Parameters(index = "1", paramLabel = "URL") String url;
    @Option(names = "--json", description = "print the subscriber's JSON answer instead") boolean json;

    @Override
    public Integer call() throws InterruptedException {
      GuestEnv env = common.env();
      JsonNode answer = client().register(service, url, env.taskId(), env.serviceName());
      if (json) {
        out().println(answer.toString());
      } else {
        out().println("MDO_CALLBACK_ID=" + answer.path("id").asText());
        out().println("MDO_CALLBACK_SECRET=" + answer.path("secret").asText());
      }
      out().flush();
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "verify-callback", description = {
      "Check a notification's signature: the body on stdin, the X-Mdo-Signature header's value as --signature, the",
      "secret in MDO_CALLBACK_SECRET (never a flag: flags show in ps). Exit 0 when the body is signed with the",
      "secret and the signed time is within 5 minutes of now; else 1, saying why.",
      "",
      "Example (a CGI receiver):",
      "  guestutils verify-callback --signature \"$HTTP_X_MDO_SIGNATURE\" < body.json || exit 1"})
  static final class Verify implements Callable<Integer> {
    @Option(names = "--signature", required = true, paramLabel = "HEADER",
        description = "the X-Mdo-Signature header's value: t=<seconds>,v1=<hex>") String signature;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
      String secret = Main.ENV.get().get("MDO_CALLBACK_SECRET");
      if (secret == null) throw new GuestUtilsException("MDO_CALLBACK_SECRET is not set (register-callback prints it)");
      byte[] body = System.in.readAllBytes();
      CallbackSignature.Result result = CallbackSignature.verify(secret, signature, body, java.time.Instant.now());
      if (result == CallbackSignature.Result.VALID) return 0;
      throw new GuestUtilsException("notification refused: " + result.description());
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "list-callbacks", description = "List registrations (all, or SERVICE's) as JSON; secrets are never listed.")
  static final class ListCallbacks extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE") String service;

    @Override
    public Integer call() {
      out().println(client().list(service).toPrettyString());
      out().flush();
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "unregister-callback", description = "Remove registration ID of SERVICE.")
  static final class Unregister extends Base {
    @Parameters(index = "0", paramLabel = "SERVICE") String service;
    @Parameters(index = "1", paramLabel = "ID") String id;

    @Override
    public Integer call() {
      client().unregister(service, id);
      return 0;
    }
  }
}
