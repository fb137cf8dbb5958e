package mdo.guestutils;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import mdo.registry.EtcdRanges;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads through jetcd: for long-lived library users that hold a client already, and for etcd with client certs. A
 * service's records are read in pages at one revision ({@link EtcdRanges}), however many there are.
 */
public final class JetcdReader implements RegistryReader {
  private static final Logger log = LoggerFactory.getLogger(JetcdReader.class);

  private final Client client;
  private final String environment;
  private final Duration timeout;
  private final boolean ownsClient;

  public JetcdReader(Client client, String environment, Duration timeout, boolean ownsClient) {
    this.client = client;
    this.environment = environment;
    this.timeout = timeout;
    this.ownsClient = ownsClient;
  }

  @Override
  public ServiceSnapshot read(String service) throws RegistryUnavailableException {
    String prefix = RegistryKeys.instances(environment, service);
    List<InstanceRecord> records = new ArrayList<>();
    try {
      long revision = EtcdRanges.scan(client.getKVClient(), prefix, timeout, records::clear, kv -> {
        InstanceRecord r = record(kv);
        if (r != null) records.add(r);
      });
      return new ServiceSnapshot(service, revision, records);
    } catch (ExecutionException | TimeoutException e) {
      throw new RegistryUnavailableException("etcd unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while reading etcd", e);
    }
  }

  /** The record a value holds, or null (logged) when it is not one. */
  private static InstanceRecord record(KeyValue kv) {
    try {
      return RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, kv.getKey().toString());
    } catch (IllegalArgumentException e) {
      log.warn("skipped: {}", e.getMessage());
      return null;
    }
  }

  @Override
  public void close() {
    if (ownsClient) client.close();
  }
}
