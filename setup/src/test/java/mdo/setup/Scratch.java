package mdo.setup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import mdo.testkit.Processes;

/**
 * A scratch Debian root for {@code setup/install --root}: this machine's user database (so users are added the way
 * they are on a node) and nothing else; plus running the script as a user does and snapshotting the tree it wrote.
 */
final class Scratch {
  static final Path REPO = Path.of(System.getProperty("mdo.repo.root", "..")).toAbsolutePath().normalize();
  static final Path INSTALL = REPO.resolve("setup/install");
  static final List<String> ALL_ROLES = List.of("secrets", "zookeeper", "etcd", "mesos-master", "mesos-agent", "marathon",
      "subscriber", "framework");

  final Path dir;
  final Path root;
  final Path config;

  record Result(int code, String out) {}

  /** A scratch root under {@code dir}, and a cluster.conf for node {@code node} of {@code nodes}. */
  Scratch(Path dir, String nodes, String node) throws IOException {
    this.dir = dir;
    this.root = Files.createDirectories(dir.resolve("root"));
    Files.createDirectories(root.resolve("etc"));
    for (String file : List.of("passwd", "group", "shadow", "gshadow")) {
      Files.copy(Path.of("/etc", file), root.resolve("etc").resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
    }
    this.config = dir.resolve("cluster.conf");
    Files.writeString(config, """
        # the example's shape, for node %s
        NODES=%s
        NODE=%s
        CLUSTER=itcluster
        ENVIRONMENT=it
        """.formatted(node, nodes, node));
  }

  /** {@code setup/install --config CONFIG --root ROOT ARGS...}, as root. */
  Result install(String... args) {
    List<String> command = new ArrayList<>(List.of(INSTALL.toString(), "--config", config.toString(), "--root",
        root.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  static Result run(List<String> command) {
    Processes.Result r = Processes.run(command);
    return new Result(r.code(), r.out());
  }

  /** Every path under the root with its type, mode, owner and content (or link target): what a run changed. */
  Map<String, String> snapshot() {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.toList()) {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
        String what;
        if (Files.isSymbolicLink(p)) what = "link " + Files.readSymbolicLink(p);
        else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) what = "dir";
        else what = "file " + sha256(Files.readAllBytes(p));
        out.put("/" + root.relativize(p), what + " mode " + Integer.toOctalString((Integer) a.get("mode") & 07777)
            + " owner " + a.get("uid") + ":" + a.get("gid"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  Path path(String absolute) {
    return root.resolve(absolute.substring(1));
  }

  String read(String absolute) {
    try {
      return Files.readString(path(absolute));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
