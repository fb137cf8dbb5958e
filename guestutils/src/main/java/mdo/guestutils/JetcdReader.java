package mdo.guestutils;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads through jetcd: for long-lived library users that hold a client already, and for etcd with client certs. */
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
    try {
      GetResponse response = client.getKVClient()
          .get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).build())
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new ServiceSnapshot(service, response.getHeader().getRevision(), records(response.getKvs()));
    } catch (ExecutionException | TimeoutException e) {
      throw new RegistryUnavailableException("etcd unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while reading etcd", e);
    }
  }

  static List<InstanceRecord> records(List<KeyValue> kvs) {
    List<InstanceRecord> records = new ArrayList<>(kvs.size());
    for (KeyValue kv : kvs) {
      String key = kv.getKey().toString();
      try {
        records.add(RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, key));
      } catch (IllegalArgumentException e) {
        log.warn("skipped: {}", e.getMessage());
      }
    }
    return records;
  }

  @Override
  public void close() {
    if (ownsClient) client.close();
  }
}
