package mdo.images;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import mdo.command.FailureHandler;
import mdo.command.Terminal;
import mdo.config.ConfigFiles;
import mdo.config.MdoConfig;
import mdo.config.SubscriberSettings;
import mdo.subscriber.Main;
import mdo.subscriber.SubscriberConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * The subscriber image's entry point. It runs the subscriber as {@code bin/subscriber} does, and also the way the
 * original tool's image ran: with config.yaml mounted as a volume, and {@code CONTAINER_HOST_ADDRESS} +
 * {@code CONTAINER_HOST_PORT} giving the public address Marathon and tasks reach the container at. With those two the
 * subscriber binds {@value #BIND_HOST}:{@value #CONTAINER_PORT} inside the container (publish it with
 * {@code -p PORT:5000}) and announces {@code http://ADDRESS:PORT} as {@code subscriber.url}; every other setting stays
 * as the file or the flags give it.
 */
@Command(name = "subscriber-image", mixinStandardHelpOptions = true,
    description = {"Runs the mdo subscriber in its image.",
        "Without flags it reads config.yaml from $MDO_CONFIG, else the first of /etc/mdo/config.yaml and"
            + " /opt/subscriber/config.yaml (where the original tool's image kept it). Other flags are the"
            + " subscriber's own (--marathon, --etcd, ...: see `bin/subscriber --help`).",
        "CONTAINER_HOST_ADDRESS and CONTAINER_HOST_PORT: the public address of this container; the subscriber then"
            + " binds 0.0.0.0:5000 in the container and announces http://ADDRESS:PORT."})
public final class ContainerSubscriber implements Callable<Integer> {
  static final String BIND_HOST = "0.0.0.0";
  static final int CONTAINER_PORT = 5000;
  static final List<Path> MOUNTED_CONFIGS = List.of(Path.of("/etc/mdo/config.yaml"),
      Path.of("/opt/subscriber/config.yaml"));

  @Option(names = "--config", paramLabel = "FILE", description = "config.yaml to read")
  Path config;

  @Unmatched
  List<String> subscriberFlags = new ArrayList<>();

  private final Map<String, String> env;
  private final List<Path> mountedConfigs;

  ContainerSubscriber(Map<String, String> env, List<Path> mountedConfigs) {
    this.env = env;
    this.mountedConfigs = mountedConfigs;
  }

  public static void main(String[] args) {
    System.exit(FailureHandler.install(new CommandLine(new ContainerSubscriber(System.getenv(), MOUNTED_CONFIGS)),
        "subscriber").execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    URI advertised;
    try {
      advertised = advertised();
    } catch (IllegalArgumentException e) {
      System.err.println("subscriber image: " + e.getMessage());
      return 2;
    }
    if (!subscriberFlags.isEmpty()) {
      if (config != null) {
        System.err.println("subscriber image: give --config or the subscriber's flags (" + subscriberFlags
            + "), not both");
        return 2;
      }
      return flags(advertised);
    }
    Path file = configFile();
    if (file == null) {
      System.err.println("subscriber image: no config.yaml: mount one at " + mountedConfigs.get(0) + " (or give"
          + " --config FILE, $MDO_CONFIG, or the subscriber's flags --marathon and --etcd)");
      return 2;
    }
    // A mistake in the file is mdo's ConfigException: the handler prints it and exits as bin/subscriber does.
    MdoConfig loaded = ConfigFiles.load(file, new Terminal(System.out, System.err, false, env));
    SubscriberSettings settings = advertised == null ? loaded.subscriber()
        : inContainer(loaded.subscriber(), advertised);
    System.out.println("subscriber image: config " + file + "; serving on " + settings.host() + ":" + settings.port()
        + ", reached at " + settings.url());
    return Main.run(new SubscriberConfig(loaded.etcd(), loaded.marathon(), settings, loaded.environment()));
  }

  /** The subscriber's own flags, with the bind address and URL set from the environment when it gives them. */
  private int flags(URI advertised) {
    List<String> args = new ArrayList<>(subscriberFlags);
    if (advertised != null) {
      for (String flag : List.of("--host", "--port", "--url")) {
        if (args.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="))) {
          System.err.println("subscriber image: " + flag + " is set from CONTAINER_HOST_ADDRESS/CONTAINER_HOST_PORT;"
              + " give one or the other");
          return 2;
        }
      }
      args.addAll(List.of("--host", BIND_HOST, "--port", Integer.toString(CONTAINER_PORT), "--url",
          advertised.toString()));
    }
    return FailureHandler.install(new CommandLine(new Main()), "subscriber").setCaseInsensitiveEnumValuesAllowed(true)
        .execute(args.toArray(String[]::new));
  }

  private Path configFile() {
    if (config != null) return config;
    String fromEnv = env.get("MDO_CONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv);
    return mountedConfigs.stream().filter(Files::isRegularFile).findFirst().orElse(null);
  }

  /** {@code http://CONTAINER_HOST_ADDRESS:CONTAINER_HOST_PORT}, null when neither is set. */
  URI advertised() {
    String address = blankToNull(env.get("CONTAINER_HOST_ADDRESS"));
    String port = blankToNull(env.get("CONTAINER_HOST_PORT"));
    if (address == null && port == null) return null;
    if (address == null || port == null) {
      throw new IllegalArgumentException("set both CONTAINER_HOST_ADDRESS and CONTAINER_HOST_PORT (the public address"
          + " and port of this container), or neither");
    }
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      number = 0;
    }
    if (number < 1 || number > 65535) {
      throw new IllegalArgumentException("CONTAINER_HOST_PORT must be a port number 1-65535, got '" + port + "'");
    }
    String host = address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    try {
      URI uri = new URI("http://" + host + ":" + number);
      if (uri.getHost() == null || uri.getPath() == null || !uri.getPath().isEmpty()) {
        throw new URISyntaxException(address, "not a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("CONTAINER_HOST_ADDRESS must be a host name or IP address, got '" + address
          + "'");
    }
  }

  /** The file's settings, bound inside the container and announced at the public address. */
  static SubscriberSettings inContainer(SubscriberSettings s, URI advertised) {
    return new SubscriberSettings(BIND_HOST, CONTAINER_PORT, advertised, s.token(), s.events(), s.resyncInterval(),
        s.resyncUnhealthyAfter(), s.streamIdleTimeout(), s.callbackAllow(), s.registrationSecret(),
        s.callbackSources());
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
