package mdo.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A cluster of real etcd processes on loopback, for tests of what a client sees when members die: {@link #stop}
 * SIGKILLs one, {@link #restart} brings it back into the cluster with its data, {@link #leader()} says which member
 * leads (from each member's own status). Members use {@link EtcdServer}'s shortened election timers, so a new leader is
 * elected within a few hundred milliseconds of the old one's death.
 */
public final class EtcdCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<EtcdServer> members;

  private EtcdCluster(List<EtcdServer> members) {
    this.members = members;
  }

  /** Starts {@code size} members and waits until the cluster has a leader and every member answers healthy. */
  public static EtcdCluster start(int size) {
    List<EtcdServer> members = new ArrayList<>();
    for (int i = 0; i < size; i++) members.add(EtcdServer.member("m" + i));
    String initial = members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
    String token = "mdo-test-cluster-" + members.get(0).clientPort();
    EtcdCluster cluster = new EtcdCluster(members);
    try {
      for (EtcdServer m : members) m.joining(initial, token).launch(); // all at once: none is healthy without a quorum
      for (EtcdServer m : members) m.awaitHealthy(Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Every member's client URL, comma-separated: what {@code --etcd} and {@code ETCD_ENDPOINTS} take. */
  public String endpoints() {
    return members.stream().map(EtcdServer::endpoint).collect(Collectors.joining(","));
  }

  public int size() {
    return members.size();
  }

  public EtcdServer member(int i) {
    return members.get(i);
  }

  /** SIGKILLs member {@code i}, keeping its data. */
  public void stop(int i) {
    members.get(i).stop();
  }

  /** Starts member {@code i} again; it rejoins the cluster and catches up. */
  public void restart(int i) {
    members.get(i).restart();
  }

  /**
   * The index of the member that leads, as the running members report it ({@code POST /v3/maintenance/status}: its
   * own member id in the header, and the leader's id); -1 while no running member knows one.
   */
  public int leader() {
    List<String> ids = new ArrayList<>();
    String leader = null;
    for (EtcdServer m : members) {
      JsonNode status = m.isRunning() ? status(m) : null;
      ids.add(status == null ? null : status.path("header").path("member_id").asText(null));
      if (status != null && status.hasNonNull("leader")) leader = status.path("leader").asText();
    }
    return leader == null ? -1 : ids.indexOf(leader);
  }

  private static JsonNode status(EtcdServer m) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(m.endpoint() + "/v3/maintenance/status").toURL()
          .openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      try (OutputStream out = c.getOutputStream()) {
        out.write("{}".getBytes(StandardCharsets.UTF_8));
      }
      try {
        return c.getResponseCode() == 200 ? JSON.readTree(c.getInputStream()) : null;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    members.forEach(EtcdServer::close);
  }
}
